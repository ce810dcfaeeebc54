//! The process's limit on open files (`RLIMIT_NOFILE` on Unix): reading it,
//! raising its soft limit to the hard one when a run needs more, and saying
//! what to do when even that is too few. The platform's part is in
//! `platform` below; elsewhere than Unix nothing is raised and any number
//! is taken to fit.

/// The open-file limits after [`raise_descriptor_limit`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DescriptorLimit {
    /// The soft limit now in force.
    pub soft: u64,
    /// The hard limit (the most the soft one can be raised to).
    pub hard: u64,
}

/// Raises the soft limit on open files to the hard limit (on Unix) if it is
/// below `needed`, and returns both limits. Elsewhere nothing is raised and
/// `needed` is taken to fit.
///
/// # Errors
///
/// If the limits cannot be read or changed.
pub fn raise_descriptor_limit(needed: u64) -> Result<DescriptorLimit, String> {
    platform::raise(needed)
}

/// Raises the soft limit on open files to the hard limit (on Unix) and
/// checks that `needed` descriptors fit; the advice on failure names
/// `--requests` and `--concurrency-limit` (see [`check_descriptors`]).
///
/// # Errors
///
/// A message saying how many descriptors are needed and available, and
/// what to do about it.
pub fn ensure_descriptors(needed: u64) -> Result<u64, String> {
    check_descriptors(needed, Some("lower --requests, set --concurrency-limit"))
}

/// Like [`ensure_descriptors`], with `advice` (if any) saying what besides
/// the hard limit the user can change to need fewer descriptors.
///
/// # Errors
///
/// A message saying how many descriptors are needed and available, and
/// what to do about it.
pub fn check_descriptors(needed: u64, advice: Option<&str>) -> Result<u64, String> {
    let DescriptorLimit { soft, hard } = raise_descriptor_limit(needed)?;
    if soft < needed {
        let advice = advice.map_or(String::new(), |a| format!("{a}, or "));
        return Err(format!(
            "this run needs about {needed} open files but the limit is {soft} \
             (hard limit {hard}); {advice}raise the hard limit \
             (ulimit -Hn, /etc/security/limits.conf)"
        ));
    }
    Ok(soft)
}

#[cfg(unix)]
mod platform {
    use super::DescriptorLimit;

    /// Raises the soft limit to the hard one if it is below `needed`.
    pub(super) fn raise(needed: u64) -> Result<DescriptorLimit, String> {
        let (soft, hard) = rlimit::getrlimit(rlimit::Resource::NOFILE)
            .map_err(|e| format!("cannot read the open-file limit: {e}"))?;
        let mut limit = soft;
        if soft < needed {
            limit = rlimit::increase_nofile_limit(hard)
                .map_err(|e| format!("cannot raise the open-file limit: {e}"))?;
            log::info!("raised the open-file limit from {soft} to {limit}");
        }
        Ok(DescriptorLimit { soft: limit, hard })
    }
}

#[cfg(not(unix))]
mod platform {
    use super::DescriptorLimit;

    /// No limit to read or raise: `needed` is taken to fit.
    pub(super) fn raise(needed: u64) -> Result<DescriptorLimit, String> {
        Ok(DescriptorLimit {
            soft: needed,
            hard: needed,
        })
    }
}
