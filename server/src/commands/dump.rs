//! `siltdb dump [--data-dir DIR] FILE`: [`siltdb::low_level::inspect::dump_file_with`]
//! on one file — FILE as given if it exists, else FILE in the data
//! directory — the dump on stdout. A damaged file is printed up to the damage, then the
//! command fails with the engine's error.

use std::io::{BufWriter, Write};

use siltdb::fs::OsFs;
use siltdb::low_level::inspect::{dump_file_with, DumpOptions};
use siltdb::Error;

use crate::cli::DumpArgs;

/// Runs `siltdb dump`.
pub fn run(args: DumpArgs) -> Result<(), String> {
    let opts = DumpOptions { width: args.width };
    let file = if args.file.exists() {
        args.file.clone()
    } else {
        args.data_dir.join(&args.file)
    };
    let mut out = BufWriter::new(std::io::stdout().lock());
    let dumped = dump_file_with(&OsFs::new(), &file, &mut out, &opts);
    let flushed = out.flush();
    match dumped {
        Ok(()) => {}
        // The reader went away (`siltdb dump x.sst | head`): not a failure.
        Err(Error::Io { source, .. }) if source.kind() == std::io::ErrorKind::BrokenPipe => {
            return Ok(())
        }
        Err(e) => return Err(format!("{}: {e}", file.display())),
    }
    match flushed {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(format!("writing to stdout: {e}")),
    }
}
