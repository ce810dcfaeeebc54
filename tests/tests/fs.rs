//! `solo::fs`: the path functions, `read_dir`, and `File`.

use std::io::ErrorKind;
use std::time::Duration;

use solo_tests::TempDir;

const LIMIT: Duration = Duration::from_secs(60);

/// Runs `f` on a fresh runtime with a deadline, then checks that it left
/// no descriptor open and no temp dir behind (every test here runs
/// through this: see [`solo_tests::leak_checked`]).
fn run<F, Fut>(f: F)
where
    F: FnOnce() -> Fut + Send + 'static,
    Fut: std::future::Future<Output = ()>,
{
    solo_tests::leak_checked(|| solo_tests::with_deadline(LIMIT, move || solo::block_on(f())));
}

/// Whether permission bits bind this process: root (or a process with
/// `CAP_DAC_OVERRIDE`) bypasses them, so std may create a file in the
/// read-only directory `ro`. Prints the reason when they do not.
#[cfg(unix)]
fn permissions_apply(ro: &std::path::Path) -> bool {
    let probe = ro.join("probe");
    if std::fs::write(&probe, "").is_ok() {
        let _ = std::fs::remove_file(&probe);
        println!("skipped: this process bypasses permission bits (root?)");
        return false;
    }
    true
}

#[test]
fn write_then_read_and_read_to_string_round_trip() {
    run(|| async {
        let dir = TempDir::new("fs-round-trip");
        let path = dir.join("a.txt");
        solo::fs::write(&path, b"hello\nfile").await.unwrap();
        assert_eq!(solo::fs::read(&path).await.unwrap(), b"hello\nfile");
        assert_eq!(
            solo::fs::read_to_string(&path).await.unwrap(),
            "hello\nfile"
        );
        assert_eq!(solo::fs::metadata(&path).await.unwrap().len(), 10);
        // A second write truncates: nothing of the first is left.
        solo::fs::write(&path, "x").await.unwrap();
        assert_eq!(solo::fs::read(&path).await.unwrap(), b"x");
    });
}

#[test]
fn read_to_string_of_bytes_that_are_not_utf8_is_invalid_data() {
    run(|| async {
        let dir = TempDir::new("fs-utf8");
        let path = dir.join("bin");
        solo::fs::write(&path, [0xff, 0xfe]).await.unwrap();
        let err = solo::fs::read_to_string(&path).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidData, "{err}");
    });
}

#[test]
fn copy_rename_and_remove_file_move_contents_as_std_does() {
    run(|| async {
        let dir = TempDir::new("fs-copy");
        let (a, b, c) = (dir.join("a"), dir.join("b"), dir.join("c"));
        solo::fs::write(&a, "contents").await.unwrap();
        assert_eq!(solo::fs::copy(&a, &b).await.unwrap(), 8);
        assert_eq!(solo::fs::read(&b).await.unwrap(), b"contents");
        solo::fs::rename(&b, &c).await.unwrap();
        assert!(!solo::fs::try_exists(&b).await.unwrap());
        assert_eq!(solo::fs::read(&c).await.unwrap(), b"contents");
        solo::fs::remove_file(&c).await.unwrap();
        assert!(!solo::fs::try_exists(&c).await.unwrap());
        assert!(solo::fs::try_exists(&a).await.unwrap());
        let err = solo::fs::remove_file(&c).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NotFound, "{err}");
    });
}

#[test]
fn create_dir_all_makes_parents_and_remove_dir_all_removes_the_tree() {
    run(|| async {
        let dir = TempDir::new("fs-dirs");
        let deep = dir.join("x/y/z");
        solo::fs::create_dir_all(&deep).await.unwrap();
        solo::fs::create_dir_all(&deep).await.unwrap(); // exists: still Ok
        assert!(solo::fs::metadata(&deep).await.unwrap().is_dir());
        solo::fs::write(deep.join("f"), "f").await.unwrap();
        let err = solo::fs::remove_dir(dir.join("x")).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::DirectoryNotEmpty, "{err}");
        solo::fs::remove_dir_all(dir.join("x")).await.unwrap();
        assert!(!solo::fs::try_exists(dir.join("x")).await.unwrap());
        solo::fs::create_dir(dir.join("one")).await.unwrap();
        let err = solo::fs::create_dir(dir.join("one")).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::AlreadyExists, "{err}");
        let err = solo::fs::create_dir(dir.join("no/parent"))
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NotFound, "{err}");
        solo::fs::remove_dir(dir.join("one")).await.unwrap();
        assert!(!solo::fs::try_exists(dir.join("one")).await.unwrap());
    });
}

#[test]
fn canonicalize_resolves_dots_and_links() {
    run(|| async {
        let dir = TempDir::new("fs-canon");
        solo::fs::create_dir(dir.join("sub")).await.unwrap();
        solo::fs::write(dir.join("f"), "").await.unwrap();
        let real = std::fs::canonicalize(dir.join("f")).unwrap();
        let dotted = dir.join("sub/../f");
        assert_eq!(solo::fs::canonicalize(&dotted).await.unwrap(), real);
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(dir.join("f"), dir.join("link")).unwrap();
            assert_eq!(
                solo::fs::canonicalize(dir.join("link")).await.unwrap(),
                real
            );
            assert_eq!(
                solo::fs::read_link(dir.join("link")).await.unwrap(),
                dir.join("f")
            );
            let meta = solo::fs::symlink_metadata(dir.join("link")).await.unwrap();
            assert!(meta.file_type().is_symlink());
            assert!(solo::fs::metadata(dir.join("link"))
                .await
                .unwrap()
                .is_file());
        }
        let err = solo::fs::canonicalize(dir.join("missing"))
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NotFound, "{err}");
        let err = solo::fs::read_link(dir.join("f")).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput, "{err}");
    });
}

#[test]
fn hard_link_shares_the_contents_and_refuses_an_existing_name() {
    run(|| async {
        let dir = TempDir::new("fs-hard-link");
        solo::fs::write(dir.join("a"), "one").await.unwrap();
        solo::fs::hard_link(dir.join("a"), dir.join("b"))
            .await
            .unwrap();
        solo::fs::write(dir.join("a"), "two").await.unwrap();
        assert_eq!(solo::fs::read(dir.join("b")).await.unwrap(), b"two");
        let err = solo::fs::hard_link(dir.join("a"), dir.join("b"))
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::AlreadyExists, "{err}");
    });
}

#[test]
fn reading_a_missing_file_is_not_found_with_std_s_message() {
    run(|| async {
        let dir = TempDir::new("fs-missing");
        let path = dir.join("missing");
        let err = solo::fs::read(&path).await.unwrap_err();
        let std_err = std::fs::read(&path).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NotFound, "{err}");
        // The same error std gives: no JoinError or pool wording on top.
        assert_eq!(err.to_string(), std_err.to_string());
        assert_eq!(err.raw_os_error(), std_err.raw_os_error());
        let err = solo::fs::metadata(&path).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NotFound, "{err}");
    });
}

#[cfg(unix)]
#[test]
fn writing_into_a_read_only_directory_is_permission_denied() {
    run(|| async {
        use std::os::unix::fs::PermissionsExt;
        let dir = TempDir::new("fs-read-only");
        let ro = dir.join("ro");
        solo::fs::create_dir(&ro).await.unwrap();
        std::fs::set_permissions(&ro, std::fs::Permissions::from_mode(0o555)).unwrap();
        if !permissions_apply(&ro) {
            return;
        }
        let err = solo::fs::write(ro.join("f"), "data").await.unwrap_err();
        let err2 = solo::fs::create_dir(ro.join("d")).await.unwrap_err();
        // Writable again, so that TempDir can remove it.
        std::fs::set_permissions(&ro, std::fs::Permissions::from_mode(0o755)).unwrap();
        assert_eq!(err.kind(), ErrorKind::PermissionDenied, "{err}");
        assert_eq!(err2.kind(), ErrorKind::PermissionDenied, "{err2}");
        assert!(!solo::fs::try_exists(ro.join("f")).await.unwrap());
    });
}

/// Creates files `f0`..`f{n}` and directory `sub` in a fresh directory.
async fn populated(label: &str, n: usize) -> (TempDir, std::collections::BTreeSet<String>) {
    let dir = TempDir::new(label);
    let mut names = std::collections::BTreeSet::new();
    for i in 0..n {
        solo::fs::write(dir.join(&format!("f{i}")), "x")
            .await
            .unwrap();
        names.insert(format!("f{i}"));
    }
    solo::fs::create_dir(dir.join("sub")).await.unwrap();
    names.insert("sub".to_string());
    (dir, names)
}

#[test]
fn read_dir_next_entry_lists_exactly_the_created_entries_across_batches() {
    run(|| async {
        // 70 entries: more than two batches of 32.
        let (dir, names) = populated("fs-read-dir", 69).await;
        let mut entries = solo::fs::read_dir(dir.path()).await.unwrap();
        let mut seen = std::collections::BTreeSet::new();
        while let Some(entry) = entries.next_entry().await.unwrap() {
            let name = entry.file_name().into_string().unwrap();
            assert_eq!(entry.path(), dir.join(&name));
            let is_dir = name == "sub";
            assert_eq!(entry.file_type().await.unwrap().is_dir(), is_dir);
            assert_eq!(entry.metadata().await.unwrap().is_dir(), is_dir);
            assert!(seen.insert(name), "an entry came twice");
        }
        assert_eq!(seen, names);
        // The end stays the end.
        assert!(entries.next_entry().await.unwrap().is_none());
    });
}

#[test]
fn read_dir_as_a_stream_yields_exactly_the_created_entries() {
    use solo::stream::StreamExt;
    run(|| async {
        let (dir, names) = populated("fs-read-dir-stream", 40).await;
        let entries = solo::fs::read_dir(dir.path()).await.unwrap();
        let seen: std::collections::BTreeSet<String> = entries
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect()
            .await;
        assert_eq!(seen, names);
        let empty = TempDir::new("fs-read-dir-empty");
        let mut entries = solo::fs::read_dir(empty.path()).await.unwrap();
        assert!(entries.next().await.is_none());
    });
}

#[test]
fn read_dir_of_a_missing_directory_is_not_found_and_of_a_file_is_an_error() {
    run(|| async {
        let dir = TempDir::new("fs-read-dir-err");
        let err = solo::fs::read_dir(dir.join("missing")).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NotFound, "{err}");
        solo::fs::write(dir.join("file"), "").await.unwrap();
        let err = solo::fs::read_dir(dir.join("file")).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NotADirectory, "{err}");
    });
}

#[test]
fn dir_entry_metadata_of_a_removed_entry_is_not_found() {
    run(|| async {
        let dir = TempDir::new("fs-entry-gone");
        solo::fs::write(dir.join("f"), "").await.unwrap();
        let mut entries = solo::fs::read_dir(dir.path()).await.unwrap();
        let entry = entries.next_entry().await.unwrap().unwrap();
        solo::fs::remove_file(dir.join("f")).await.unwrap();
        let err = entry.metadata().await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NotFound, "{err}");
    });
}

// ---- File ----

use solo::fs::{File, OpenOptions};
use solo::io::{AsyncReadExt, AsyncSeekExt, AsyncWriteExt};
use std::hash::Hasher;
use std::io::SeekFrom;

/// `n` pseudo-random bytes (xorshift), the same for the same `seed`.
fn pattern(n: usize, seed: u64) -> Vec<u8> {
    let mut x = seed | 1;
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect()
}

#[test]
fn a_large_file_written_in_uneven_chunks_reads_back_with_the_same_hash() {
    run(|| async {
        let dir = TempDir::new("fs-file-large");
        let path = dir.join("big");
        let total = solo_tests::count(100 << 20, 1 << 20);
        // Larger than one 2 MiB operation, so that writes are split.
        let source = pattern(3 << 20, 7);
        let sizes = [1, 4097, 65_536 + 3, 3 << 20, 777, 2 << 20];
        let mut file = File::create(&path).await.unwrap();
        let mut hash = std::hash::DefaultHasher::new();
        let (mut written, mut i) = (0, 0);
        while written < total {
            let len = sizes[i % sizes.len()].min(total - written);
            let start = (i * 12_345) % (source.len() - len + 1);
            let chunk = &source[start..start + len];
            file.write_all(chunk).await.unwrap();
            hash.write(chunk);
            written += len;
            i += 1;
        }
        file.flush().await.unwrap();
        assert_eq!(file.metadata().await.unwrap().len(), total as u64);
        drop(file);

        let mut file = File::open(&path).await.unwrap();
        let mut back = std::hash::DefaultHasher::new();
        let (mut read, mut buf) = (0, vec![0; 3 << 20]);
        let read_sizes = [4096, 1, 3 << 20, 1000, 65_537];
        for j in 0.. {
            let want = read_sizes[j % read_sizes.len()];
            let n = file.read(&mut buf[..want]).await.unwrap();
            if n == 0 {
                break;
            }
            back.write(&buf[..n]);
            read += n;
        }
        assert_eq!(read, total);
        assert_eq!(back.finish(), hash.finish(), "the bytes read back differ");
    });
}

#[test]
fn several_tasks_read_one_file_each_through_its_own_file() {
    run(|| async {
        let dir = TempDir::new("fs-file-readers");
        let path = dir.join("shared");
        let data = pattern(solo_tests::count(1 << 20, 64 << 10), 3);
        solo::fs::write(&path, &data).await.unwrap();
        let data = std::rc::Rc::new(data);
        let tasks: Vec<_> = [1000, 4096, 65_536, 7]
            .into_iter()
            .map(|chunk| {
                let (path, data) = (path.clone(), data.clone());
                solo::spawn(async move {
                    let mut file = File::open(&path).await.unwrap();
                    let (mut got, mut buf) = (Vec::new(), vec![0; chunk]);
                    loop {
                        let n = file.read(&mut buf).await.unwrap();
                        if n == 0 {
                            break;
                        }
                        got.extend_from_slice(&buf[..n]);
                        if got.len() > (64 << 10) && chunk == 7 {
                            // The smallest reader stops early, on a prefix.
                            break;
                        }
                    }
                    assert_eq!(got[..], data[..got.len()]);
                    got.len()
                })
            })
            .collect();
        let mut lens = Vec::new();
        for task in tasks {
            lens.push(task.await.unwrap());
        }
        assert_eq!(lens[..3], [data.len(); 3]);
    });
}

/// Leaves `file` having returned bytes `0..5` of a read that fetched more:
/// a 100-byte read is started and abandoned, then a 5-byte read takes the
/// first 5 of its bytes and leaves 95 in the buffer.
async fn read_five_with_more_buffered(file: &mut File) {
    let mut big = [0; 100];
    let started = futures_lite::future::poll_once(file.read(&mut big)).await;
    assert!(started.is_none(), "the read finished on its first poll");
    let mut five = [0; 5];
    file.read_exact(&mut five).await.unwrap();
    assert_eq!(five, [0, 1, 2, 3, 4]);
}

/// A file holding bytes 0, 1, .. 255, 0, 1, .. (1000 of them).
async fn counting_file(dir: &TempDir) -> std::path::PathBuf {
    let path = dir.join("counting");
    let data: Vec<u8> = (0..1000).map(|i| i as u8).collect();
    solo::fs::write(&path, data).await.unwrap();
    path
}

#[test]
fn seek_from_start_current_with_buffered_bytes_and_end_then_read_gives_the_right_bytes() {
    run(|| async {
        let dir = TempDir::new("fs-file-seek");
        let path = counting_file(&dir).await;
        let mut file = File::open(&path).await.unwrap();
        let mut one = [0; 1];
        read_five_with_more_buffered(&mut file).await;
        // The position is where the caller is, not where the file was read to.
        assert_eq!(file.seek(SeekFrom::Current(0)).await.unwrap(), 5);
        assert_eq!(file.seek(SeekFrom::Current(3)).await.unwrap(), 8);
        file.read_exact(&mut one).await.unwrap();
        assert_eq!(one, [8]);
        assert_eq!(file.seek(SeekFrom::Start(300)).await.unwrap(), 300);
        file.read_exact(&mut one).await.unwrap();
        assert_eq!(one, [(300 % 256) as u8]);
        assert_eq!(file.seek(SeekFrom::End(-1)).await.unwrap(), 999);
        file.read_exact(&mut one).await.unwrap();
        assert_eq!(one, [(999 % 256) as u8]);
        assert_eq!(file.read(&mut one).await.unwrap(), 0, "end of file");
        let err = file.seek(SeekFrom::Current(-2000)).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput, "{err}");
    });
}

#[test]
fn a_write_after_a_partial_read_lands_where_the_caller_has_read_to() {
    run(|| async {
        let dir = TempDir::new("fs-file-read-write");
        let path = counting_file(&dir).await;
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .open(&path)
            .await
            .unwrap();
        read_five_with_more_buffered(&mut file).await;
        file.write_all(b"XY").await.unwrap();
        file.flush().await.unwrap();
        let data = solo::fs::read(&path).await.unwrap();
        assert_eq!(data[..9], [0, 1, 2, 3, 4, b'X', b'Y', 7, 8]);
        assert_eq!(data.len(), 1000);
    });
}

#[test]
fn into_std_after_a_partial_read_gives_back_the_caller_s_position() {
    run(|| async {
        use std::io::Seek;
        let dir = TempDir::new("fs-file-into-std");
        let path = counting_file(&dir).await;
        let mut file = File::open(&path).await.unwrap();
        read_five_with_more_buffered(&mut file).await;
        let mut std = file.into_std().await;
        assert_eq!(std.stream_position().unwrap(), 5);
        // And back again: from_std keeps the position.
        let mut file = File::from_std(std);
        let mut one = [0; 1];
        file.read_exact(&mut one).await.unwrap();
        assert_eq!(one, [5]);
        // With a write in flight, try_into_std gives the File back.
        let mut file = File::create(dir.join("w")).await.unwrap();
        file.write_all(&vec![1; 1 << 20]).await.unwrap();
        let file = file.try_into_std().unwrap_err();
        drop(file);
    });
}

#[test]
fn append_mode_writes_at_the_end_even_after_a_seek() {
    run(|| async {
        let dir = TempDir::new("fs-file-append");
        let path = dir.join("log");
        solo::fs::write(&path, "abc").await.unwrap();
        let mut file = OpenOptions::new().append(true).open(&path).await.unwrap();
        file.seek(SeekFrom::Start(0)).await.unwrap();
        file.write_all(b"def").await.unwrap();
        file.write_all(b"g").await.unwrap();
        file.close().await.unwrap();
        assert_eq!(solo::fs::read(&path).await.unwrap(), b"abcdefg");
    });
}

#[test]
fn set_len_truncates_and_extends_with_zeros() {
    run(|| async {
        let dir = TempDir::new("fs-file-set-len");
        let path = dir.join("f");
        let mut file = File::create(&path).await.unwrap();
        file.write_all(&[7; 100]).await.unwrap();
        // No flush: set_len waits for the write first.
        file.set_len(10).await.unwrap();
        assert_eq!(file.metadata().await.unwrap().len(), 10);
        file.set_len(12).await.unwrap();
        file.sync_all().await.unwrap();
        file.sync_data().await.unwrap();
        let mut expected = vec![7; 10];
        expected.extend([0, 0]);
        assert_eq!(solo::fs::read(&path).await.unwrap(), expected);
        let read_only = File::open(&path).await.unwrap();
        assert!(read_only.set_len(0).await.is_err());
        assert_eq!(solo::fs::metadata(&path).await.unwrap().len(), 12);
    });
}

#[test]
fn a_failed_background_write_is_reported_by_flush_once() {
    run(|| async {
        let dir = TempDir::new("fs-file-write-error");
        let path = dir.join("f");
        solo::fs::write(&path, "").await.unwrap();
        let mut file = File::open(&path).await.unwrap(); // read-only
        let wrote = file.write(b"data").await;
        let flushed = file.flush().await;
        // The write is buffered: it returns Ok, and flush sees the error.
        assert_eq!(wrote.unwrap(), 4);
        assert!(flushed.is_err(), "the data was dropped silently");
        // Reported once: the File goes on.
        file.flush().await.unwrap();
        // sync_all reports a failed background write too.
        file.write_all(b"more").await.unwrap();
        assert!(file.sync_all().await.is_err());
        // And so does the next write.
        file.write_all(b"more").await.unwrap();
        assert!(file.write_all(b"x").await.is_err());
        assert_eq!(solo::fs::read(&path).await.unwrap(), b"");
    });
}

#[test]
fn opening_errors_keep_std_s_kinds() {
    run(|| async {
        let dir = TempDir::new("fs-file-open-errors");
        let err = File::open(dir.join("missing")).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NotFound, "{err}");
        solo::fs::write(dir.join("there"), "").await.unwrap();
        let err = File::create_new(dir.join("there")).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::AlreadyExists, "{err}");
        let err = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(dir.join("there"))
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::AlreadyExists, "{err}");
        let err = OpenOptions::new()
            .open(dir.join("there"))
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput, "{err}");
        let mut new = File::create_new(dir.join("new")).await.unwrap();
        new.write_all(b"n").await.unwrap();
        new.flush().await.unwrap();
        assert_eq!(solo::fs::read(dir.join("new")).await.unwrap(), b"n");
    });
}

/// Descriptors of this process that refer to something under `dir`.
#[cfg(target_os = "linux")]
fn fds_under(dir: &std::path::Path) -> usize {
    std::fs::read_dir("/proc/self/fd")
        .unwrap()
        .filter_map(|e| std::fs::read_link(e.ok()?.path()).ok())
        .filter(|target| target.starts_with(dir))
        .count()
}

/// Waits (polling) up to 20 s for `done` to hold; whether it did.
async fn eventually(mut done: impl FnMut() -> bool) -> bool {
    let give_up = std::time::Instant::now() + Duration::from_secs(20);
    while !done() {
        if std::time::Instant::now() > give_up {
            return false;
        }
        solo::time::sleep(Duration::from_millis(2)).await;
    }
    true
}

#[test]
fn dropping_a_file_with_a_write_in_flight_lets_the_write_finish_and_closes_it() {
    run(|| async {
        let dir = TempDir::new("fs-file-drop");
        let path = dir.join("f");
        let data = pattern(solo_tests::count(2 << 20, 256 << 10), 11);
        let mut file = File::create(&path).await.unwrap();
        file.write_all(&data).await.unwrap();
        drop(file); // no flush: the last write is still in flight
        let len = data.len() as u64;
        let written = eventually(|| std::fs::metadata(&path).is_ok_and(|m| m.len() == len)).await;
        assert!(written, "the write in flight was not finished");
        assert!(
            std::fs::read(&path).unwrap() == data,
            "the file holds other bytes"
        );
        #[cfg(target_os = "linux")]
        assert!(
            eventually(|| fds_under(dir.path()) == 0).await,
            "the dropped File's descriptor was never closed"
        );
    });
}

#[cfg(target_os = "linux")]
#[test]
fn every_file_is_closed_once_dropped() {
    run(|| async {
        let dir = TempDir::new("fs-file-fds");
        let path = counting_file(&dir).await;
        let mut reader = File::open(&path).await.unwrap();
        read_five_with_more_buffered(&mut reader).await;
        let mut writer = File::create(dir.join("w")).await.unwrap();
        writer.write_all(b"w").await.unwrap();
        writer.flush().await.unwrap();
        let entries = solo::fs::read_dir(dir.path()).await.unwrap();
        assert!(fds_under(dir.path()) >= 3);
        drop((reader, writer, entries));
        assert_eq!(fds_under(dir.path()), 0, "a descriptor was left open");
    });
}
