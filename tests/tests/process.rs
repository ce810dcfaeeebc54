//! solo::process: spawning, waiting, killing and reaping children. Each
//! test runs alone under `leak_checked`: it must leave no child, zombie or
//! running, and no descriptor behind.
#![cfg(unix)]

use std::io;
use std::os::unix::process::ExitStatusExt;
use std::process::Stdio;
use std::time::Duration;

use solo::process::Command;
use solo::time::timeout;
#[cfg(target_os = "linux")]
use solo_tests::{child_pids, zombie_children};
use solo_tests::{count, with_deadline};

const LIMIT: Duration = Duration::from_secs(30);

fn sh(script: &str) -> Command {
    let mut cmd = Command::new("/bin/sh");
    cmd.args(["-c", script]);
    cmd
}

#[test]
fn status_reports_the_exit_code() {
    solo_tests::leak_checked(|| {
        let (three, zero, one) = with_deadline(LIMIT, || {
            solo::block_on(async {
                let three = sh("exit 3").status().await.unwrap();
                let zero = Command::new("true").status().await.unwrap();
                let one = Command::new("false").status().await.unwrap();
                (three, zero, one)
            })
        });
        assert_eq!(three.code(), Some(3));
        assert!(zero.success());
        assert_eq!(one.code(), Some(1));
    });
}

#[test]
fn a_child_killed_by_a_signal_reports_it() {
    solo_tests::leak_checked(|| {
        let status = with_deadline(LIMIT, || {
            solo::block_on(async { sh("kill -9 $$").status().await.unwrap() })
        });
        assert_eq!(status.code(), None);
        assert_eq!(status.signal(), Some(9));
    });
}

#[test]
fn a_missing_program_is_not_found() {
    solo_tests::leak_checked(|| {
        let result = with_deadline(LIMIT, || {
            solo::block_on(async {
                match Command::new("/nonexistent/solo-no-such-program").spawn() {
                    Err(e) => Err(e.kind()),
                    Ok(mut child) => Ok(timeout(LIMIT, child.wait()).await.unwrap().unwrap()),
                }
            })
        });
        if solo_tests::under_valgrind() {
            // valgrind runs glibc's posix_spawn (which std uses) as a plain
            // fork, so the exec error never reaches the parent: the child
            // exits with 127 instead.
            if let Ok(status) = result {
                eprintln!("under valgrind the exec error is reported by the child's exit code");
                assert_eq!(status.code(), Some(127));
                return;
            }
        }
        assert_eq!(result.unwrap_err(), io::ErrorKind::NotFound);
    });
}

#[test]
fn try_wait_is_none_while_running_and_the_status_after_exit() {
    solo_tests::leak_checked(|| {
        with_deadline(LIMIT, || {
            solo::block_on(async {
                let mut child = Command::new("sleep").arg("60").spawn().unwrap();
                let pid = child.id();
                assert!(pid.is_some());
                assert!(child.try_wait().unwrap().is_none());
                child.start_kill().unwrap();
                let status = timeout(LIMIT, child.wait()).await.unwrap().unwrap();
                assert_eq!(status.signal(), Some(9));
                assert_eq!(child.try_wait().unwrap(), Some(status));
                // Reaped: the id is gone, and waiting again gives the same status.
                assert_eq!(child.id(), None);
                assert_eq!(child.wait().await.unwrap(), status);

                let mut quick = Command::new("true").spawn().unwrap();
                let status = loop {
                    if let Some(status) = quick.try_wait().unwrap() {
                        break status;
                    }
                    solo::time::sleep(Duration::from_millis(5)).await;
                };
                assert!(status.success());
            })
        });
    });
}

#[test]
fn kill_ends_a_sleeping_child_and_reaps_it() {
    solo_tests::leak_checked(|| {
        with_deadline(LIMIT, || {
            solo::block_on(async {
                let mut child = Command::new("sleep").arg("60").spawn().unwrap();
                timeout(Duration::from_secs(10), child.kill())
                    .await
                    .expect("kill did not return")
                    .unwrap();
                assert_eq!(child.id(), None);
                let err = child.start_kill().unwrap_err();
                assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
            })
        });
    });
}

#[test]
fn many_concurrent_children_are_all_waited_for() {
    solo_tests::leak_checked(|| {
        let n = count(100, 10);
        let statuses = with_deadline(LIMIT, move || {
            solo::block_on(async move {
                let tasks: Vec<_> = (0..n)
                    .map(|i| {
                        solo::spawn(async move {
                            let code = i % 7;
                            let mut child = sh(&format!("exit {code}"))
                                .stdin(Stdio::null())
                                .spawn()
                                .unwrap();
                            (code, timeout(LIMIT, child.wait()).await.unwrap().unwrap())
                        })
                    })
                    .collect();
                let mut out = Vec::new();
                for t in tasks {
                    out.push(t.await.unwrap());
                }
                out
            })
        });
        assert_eq!(statuses.len(), n);
        for (code, status) in statuses {
            assert_eq!(status.code(), Some(code as i32));
        }
    });
}

#[test]
fn spawn_outside_a_runtime_fails_without_starting_anything() {
    solo_tests::leak_checked(|| {
        let err = Command::new("true").spawn().unwrap_err();
        assert_ne!(err.kind(), io::ErrorKind::NotFound);
    });
}

#[cfg(target_os = "linux")]
#[test]
fn children_dropped_while_running_are_reaped_and_never_left_zombies() {
    solo_tests::leak_checked(|| {
        let n = count(200, 20);
        with_deadline(LIMIT, move || {
            solo::block_on(async move {
                let mut kept = Vec::new();
                for i in 0..n {
                    let mut cmd = sh("sleep 0.05");
                    // A quarter are killed on drop, a quarter run on after it.
                    cmd.kill_on_drop(i % 4 == 0);
                    let child = cmd.spawn().unwrap();
                    if i % 2 == 0 {
                        drop(child);
                    } else {
                        kept.push(child);
                    }
                }
                for mut child in kept {
                    timeout(LIMIT, child.wait()).await.unwrap().unwrap();
                }
                // Bounded wait for the reapers: every child gone, not
                // only not a zombie yet.
                for _ in 0..200 {
                    if child_pids().is_empty() {
                        break;
                    }
                    solo::time::sleep(Duration::from_millis(20)).await;
                }
                assert_eq!(zombie_children(), Vec::<u32>::new(), "zombies left");
                assert_eq!(child_pids(), Vec::<u32>::new(), "children never reaped");
            });
            // A child dropped outside any runtime goes to a thread.
            let child = solo::block_on(async { sh("sleep 0.05").spawn().unwrap() });
            let pid = child.id().unwrap();
            drop(child);
            for _ in 0..200 {
                if !child_pids().contains(&pid) {
                    break;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            assert!(
                !child_pids().contains(&pid),
                "the child dropped outside a runtime was never reaped"
            );
        });
    });
}

#[test]
fn kill_on_drop_kills_a_running_child() {
    solo_tests::leak_checked(|| {
        with_deadline(LIMIT, || {
            solo::block_on(async {
                // The child's stdout is a pipe we hold: it reaches end of file
                // only when the child (and so `sleep`) is gone.
                let (reader, writer) = std::os::unix::net::UnixStream::pair().unwrap();
                let child = sh("exec sleep 60")
                    .stdout(std::os::fd::OwnedFd::from(writer))
                    .kill_on_drop(true)
                    .spawn()
                    .unwrap();
                drop(child);
                let eof = solo::task::spawn_blocking(move || {
                    let mut reader = reader;
                    io::Read::read(&mut reader, &mut [0; 1])
                });
                let n = timeout(Duration::from_secs(10), eof)
                    .await
                    .expect("the child outlived its Child")
                    .unwrap()
                    .unwrap();
                assert_eq!(n, 0);
            })
        });
    });
}

fn hash(bytes: &[u8]) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    bytes.hash(&mut h);
    h.finish()
}

#[test]
fn cat_echoes_megabytes_through_piped_stdin_and_stdout_without_deadlock() {
    solo_tests::leak_checked(|| {
        use futures_lite::{AsyncReadExt, AsyncWriteExt};
        let len = count(10 << 20, 1 << 20);
        let data: Vec<u8> = (0..len).map(|i| (i * 31 % 251) as u8).collect();
        let expected = hash(&data);
        let (got_len, got, status) = with_deadline(LIMIT, move || {
            solo::block_on(async move {
                let mut child = Command::new("cat")
                    .stdin(Stdio::piped())
                    .stdout(Stdio::piped())
                    .spawn()
                    .unwrap();
                let mut stdin = child.stdin.take().unwrap();
                let mut stdout = child.stdout.take().unwrap();
                let writer = solo::spawn(async move {
                    stdin.write_all(&data).await.unwrap();
                    // Dropping stdin closes the pipe: cat sees end of file.
                });
                let reader = solo::spawn(async move {
                    let mut out = Vec::new();
                    stdout.read_to_end(&mut out).await.unwrap();
                    out
                });
                writer.await.unwrap();
                let out = reader.await.unwrap();
                let status = timeout(LIMIT, child.wait()).await.unwrap().unwrap();
                (out.len(), hash(&out), status)
            })
        });
        assert_eq!(got_len, len);
        assert_eq!(got, expected);
        assert!(status.success());
    });
}

#[test]
fn output_captures_stdout_and_stderr_and_the_status() {
    solo_tests::leak_checked(|| {
        let out = with_deadline(LIMIT, || {
            solo::block_on(async {
                // More than a pipe's buffer on each stream: neither may block.
                timeout(
                LIMIT,
                sh("head -c 300000 /dev/zero; head -c 200000 /dev/zero >&2; echo out; echo err >&2; exit 4")
                    .output(),
            )
            .await
            .unwrap()
            .unwrap()
            })
        });
        assert_eq!(out.status.code(), Some(4));
        assert_eq!(out.stdout.len(), 300_004);
        assert!(out.stdout.ends_with(b"out\n"));
        assert_eq!(out.stderr.len(), 200_004);
        assert!(out.stderr.ends_with(b"err\n"));
    });
}

#[test]
fn output_gives_the_child_an_empty_stdin_and_unpiped_streams_are_none() {
    solo_tests::leak_checked(|| {
        with_deadline(LIMIT, || {
            solo::block_on(async {
                // `cat` would wait forever on an inherited terminal.
                let out = timeout(LIMIT, Command::new("cat").output())
                    .await
                    .unwrap()
                    .unwrap();
                assert!(out.status.success());
                assert!(out.stdout.is_empty());
                // Whatever the test's own stdin is, the child's is /dev/null.
                #[cfg(target_os = "linux")]
                {
                    let out = timeout(
                        LIMIT,
                        Command::new("readlink").arg("/proc/self/fd/0").output(),
                    )
                    .await
                    .unwrap()
                    .unwrap();
                    assert_eq!(out.stdout, b"/dev/null\n");
                }

                let mut child = Command::new("true").spawn().unwrap();
                assert!(child.stdin.is_none() && child.stdout.is_none() && child.stderr.is_none());
                timeout(LIMIT, child.wait()).await.unwrap().unwrap();
            })
        });
    });
}

#[test]
fn writing_to_a_closed_stdin_fails_with_broken_pipe() {
    solo_tests::leak_checked(|| {
        use futures_lite::AsyncWriteExt;
        with_deadline(LIMIT, || {
            solo::block_on(async {
                let mut child = Command::new("cat").stdin(Stdio::piped()).spawn().unwrap();
                let mut stdin = child.stdin.take().unwrap();
                stdin.close().await.unwrap();
                let err = stdin.write_all(b"x").await.unwrap_err();
                assert_eq!(err.kind(), io::ErrorKind::BrokenPipe);
                // cat saw end of file and exited.
                let status = timeout(LIMIT, child.wait()).await.unwrap().unwrap();
                assert!(status.success());
            })
        });
    });
}

#[test]
fn a_childs_stdout_pipes_into_another_childs_stdin() {
    solo_tests::leak_checked(|| {
        let output = with_deadline(LIMIT, || {
            solo::block_on(async {
                // The writer starts late: `tr` reads an empty pipe first,
                // which fails at once unless the descriptor is blocking.
                let mut echo = sh("sleep 0.3; echo hello world")
                    .stdout(Stdio::piped())
                    .spawn()
                    .unwrap();
                let out = echo.stdout.take().expect("piped");
                let mut tr = Command::new("tr");
                let stdin: Stdio = out.try_into().unwrap();
                tr.args(["a-z", "A-Z"]).stdin(stdin);
                let output = tr.output().await.unwrap();
                assert!(echo.wait().await.unwrap().success());
                output
            })
        });
        assert_eq!(String::from_utf8_lossy(&output.stderr), "");
        assert!(output.status.success());
        assert_eq!(output.stdout, b"HELLO WORLD\n");
    });
}

#[test]
fn a_childs_stdin_and_stderr_become_other_childs_stdio() {
    solo_tests::leak_checked(|| {
        let upper = with_deadline(LIMIT, || {
            solo::block_on(async {
                use futures_lite::AsyncReadExt;
                let mut tr = Command::new("tr")
                    .args(["a-z", "A-Z"])
                    .stdin(Stdio::piped())
                    .stdout(Stdio::piped())
                    .spawn()
                    .unwrap();
                let mut shout = sh("echo hi there >&2")
                    .stderr(Stdio::piped())
                    .spawn()
                    .unwrap();
                // cat copies `shout`'s stderr into `tr`'s stdin.
                let status = Command::new("cat")
                    .stdin(Stdio::try_from(shout.stderr.take().expect("piped")).unwrap())
                    .stdout(Stdio::try_from(tr.stdin.take().expect("piped")).unwrap())
                    .status()
                    .await
                    .unwrap();
                assert!(status.success());
                assert!(shout.wait().await.unwrap().success());
                let mut upper = String::new();
                let mut out = tr.stdout.take().expect("piped");
                out.read_to_string(&mut upper).await.unwrap();
                assert!(tr.wait().await.unwrap().success());
                upper
            })
        });
        assert_eq!(upper, "HI THERE\n");
    });
}

#[test]
fn a_closed_childs_stdin_cannot_become_stdio_and_says_broken_pipe() {
    solo_tests::leak_checked(|| {
        with_deadline(LIMIT, || {
            solo::block_on(async {
                use futures_lite::AsyncWriteExt;
                let mut cat = Command::new("cat")
                    .stdin(Stdio::piped())
                    .stdout(Stdio::null())
                    .spawn()
                    .unwrap();
                let mut stdin = cat.stdin.take().expect("piped");
                stdin.close().await.unwrap();
                let err = Stdio::try_from(stdin).expect_err("a closed pipe converted");
                assert_eq!(err.kind(), io::ErrorKind::BrokenPipe, "{err}");
                assert!(cat.wait().await.unwrap().success());
            })
        });
    });
}
