//! `solo::fs`: the path functions, `read_dir`, and `File`.

use std::io::ErrorKind;
use std::time::Duration;

use solo_tests::TempDir;

const LIMIT: Duration = Duration::from_secs(60);

/// Runs `f` on a fresh runtime with a deadline.
fn run<F, Fut>(f: F)
where
    F: FnOnce() -> Fut + Send + 'static,
    Fut: std::future::Future<Output = ()>,
{
    solo_tests::with_deadline(LIMIT, move || solo::block_on(f()));
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
