//! [`repair`]: restores a lost or broken `CURRENT`, never deleting anything.
//! Spec: format-spec/manifest.md, "Repairing CURRENT".

use std::fmt;
use std::path::Path;

use super::filenames::FileKind;
use super::layout::{self, Listing};
use super::replay::{self, Replayed};
use super::{examine, write_current, Found};
use crate::error::{Error, Result};
use crate::fs::Fs;

/// What [`repair`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RepairReport {
    /// The MANIFEST `CURRENT` named before, if it named one.
    pub previous: Option<String>,
    /// The MANIFEST `CURRENT` names now.
    pub chosen: String,
    /// True if `CURRENT` was written; false if it already named a MANIFEST
    /// that recovers, and nothing was changed.
    pub changed: bool,
    /// MANIFESTs passed over, newest first, with why.
    pub skipped: Vec<(String, String)>,
}

impl fmt::Display for RepairReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (name, why) in &self.skipped {
            writeln!(f, "skipped {name}: {why}")?;
        }
        if self.changed {
            write!(
                f,
                "CURRENT now names {} (it named {}); nothing was deleted",
                self.chosen,
                self.previous.as_deref().unwrap_or("nothing usable")
            )
        } else {
            write!(
                f,
                "CURRENT already names {}, which recovers; nothing was changed",
                self.chosen
            )
        }
    }
}

/// Points `CURRENT` in `dir` at the newest MANIFEST that replays cleanly
/// and whose files all exist, and deletes nothing. Takes the directory's
/// lock, so it fails with [`Error::Locked`] while a database has it open.
///
/// If `CURRENT` already names a MANIFEST that recovers, nothing changes.
/// If a newer MANIFEST than the chosen one was passed over and the
/// directory holds tables or WALs the chosen one does not name (which the
/// next open would remove as garbage), repair refuses, naming them: those
/// files may be what the broken MANIFEST needs. Fails with
/// [`Error::Corruption`] if no MANIFEST qualifies.
pub fn repair(fs: &dyn Fs, dir: &Path) -> Result<RepairReport> {
    let _lock = fs.lock(&FileKind::Lock.path(dir))?;
    let listing = Listing::read(fs, dir)?;
    let previous = if listing.has(FileKind::Current) {
        replay::read_current(fs, dir).ok()
    } else {
        None
    };
    if let (Some(n), Ok(Found::Database(_))) = (previous, examine(fs, dir, &listing)) {
        return Ok(RepairReport {
            previous: Some(FileKind::Manifest(n).name()),
            chosen: FileKind::Manifest(n).name(),
            changed: false,
            skipped: Vec::new(),
        });
    }
    let mut manifests: Vec<u64> = listing
        .files()
        .filter_map(|(_, k)| match k {
            FileKind::Manifest(n) => Some(n),
            _ => None,
        })
        .collect();
    manifests.sort_unstable_by(|a, b| b.cmp(a));
    let mut skipped = Vec::new();
    let mut chosen = None;
    for n in manifests {
        match usable(fs, dir, &listing, n) {
            Ok(r) => {
                chosen = Some(r);
                break;
            }
            Err(e) => skipped.push((FileKind::Manifest(n).name(), e.to_string())),
        }
    }
    let Some(chosen) = chosen else {
        let why = if skipped.is_empty() {
            "the directory holds no MANIFEST".to_string()
        } else {
            skipped
                .iter()
                .map(|(n, e)| format!("{n}: {e}"))
                .collect::<Vec<_>>()
                .join("; ")
        };
        return Err(Error::corruption(
            FileKind::Current.name(),
            0,
            format!("no MANIFEST replays cleanly with every file it names present: {why}"),
        ));
    };
    if let Some((newer, _)) = skipped.first() {
        let at_risk: Vec<String> = layout::roles(&listing, &chosen)
            .into_iter()
            .filter(|(e, role)| {
                role.is_garbage()
                    && matches!(
                        e.kind,
                        Some(FileKind::Table(_) | FileKind::Wal(_) | FileKind::Blob(_))
                    )
            })
            .map(|(e, _)| e.name)
            .collect();
        if !at_risk.is_empty() {
            return Err(Error::corruption(
                newer.clone(),
                0,
                format!(
                    "{newer} does not recover, and {} does not name {}: the next open would \
                     remove them as garbage, though {newer} may need them. Nothing was \
                     changed; move them out of the directory first if you accept losing them",
                    chosen.name(),
                    at_risk.join(", ")
                ),
            ));
        }
    }
    write_current(fs, dir, chosen.number)?;
    Ok(RepairReport {
        previous: previous.map(|n| FileKind::Manifest(n).name()),
        chosen: chosen.name(),
        changed: true,
        skipped,
    })
}

/// MANIFEST `number` replayed, if recovery would accept it: it replays,
/// every file it names is present, and a dropped torn tail passes the tail
/// rule.
fn usable(fs: &dyn Fs, dir: &Path, listing: &Listing, number: u64) -> Result<Replayed> {
    let r = replay::read_manifest(fs, dir, number)?;
    let missing = layout::missing_files(listing, &r);
    layout::check_dropped_manifest_tail(listing, &r, &missing)?;
    if let Some(m) = missing.first() {
        return Err(Error::corruption(
            m.name.clone(),
            0,
            format!("missing ({})", m.reason),
        ));
    }
    Ok(r)
}
