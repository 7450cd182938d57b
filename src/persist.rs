//! The data directory (`arcemu serve --data-dir DIR`): the world's journal kept in an
//! embedded transactional store, so the world survives restarts and crashes.
//!
//! Every change is recorded (one redb write transaction, committed with `fsync`) under the
//! world's lock *before* it is applied, so what a client was answered is on disk, in the
//! order it happened, even after `kill -9`. At start the records are replayed into a world
//! built with the same settings; the model is deterministic, so the world comes back exactly
//! (ids, ETags, timestamps, operations in progress). The settings the journal was written
//! with are stored beside it, and a start with other settings is refused rather than
//! replayed into a different world.
//!
//! redb rather than SQLite: pure Rust (the image stays a static binary with no C toolchain),
//! ACID with crash-safe commits, and the journal is a plain ordered key-value table.

use arcemu_model::door::JournalSink;
use arcemu_model::journal::Record;
use arcemu_model::{World, WorldConfig};
use redb::{Database, ReadableDatabase, ReadableTable, TableDefinition};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

const JOURNAL: TableDefinition<u64, &[u8]> = TableDefinition::new("journal");
const META: TableDefinition<&str, &str> = TableDefinition::new("meta");
const FORMAT: &str = "arcemu-journal/1";
/// The store's file inside the data directory.
pub const FILE_NAME: &str = "world.redb";

/// An opened data directory: the journal sink and what it held at start.
pub struct DataDir {
    pub path: PathBuf,
    pub journal: Journal,
    /// The records found, in order (empty for a new directory).
    pub records: Vec<Record>,
}

/// The journal in the data directory's store.
pub struct Journal {
    db: Database,
    /// The key of the next record (records are keyed by their position).
    next: Mutex<u64>,
}

/// The settings a journal must be replayed with: everything in [`WorldConfig`] that shapes
/// the world (all of it, printed).
pub fn settings(config: &WorldConfig) -> String {
    format!("{config:?}")
}

/// Opens (or creates) the data directory and reads its journal.
pub fn open(dir: &Path, config: &WorldConfig) -> Result<DataDir, String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("data directory {}: {e}", dir.display()))?;
    let file = dir.join(FILE_NAME);
    let db = Database::create(&file).map_err(|e| format!("data directory store {}: {e}", file.display()))?;
    let settings = settings(config);
    let err = |e: &dyn std::fmt::Display| format!("data directory store {}: {e}", file.display());
    // Tables and settings exist from the first start on.
    let txn = db.begin_write().map_err(|e| err(&e))?;
    {
        let mut meta = txn.open_table(META).map_err(|e| err(&e))?;
        let format = meta.get("format").map_err(|e| err(&e))?.map(|v| v.value().to_string());
        match format.as_deref() {
            None => {
                meta.insert("format", FORMAT).map_err(|e| err(&e))?;
                meta.insert("settings", settings.as_str()).map_err(|e| err(&e))?;
            }
            Some(FORMAT) => {
                let stored = meta.get("settings").map_err(|e| err(&e))?.map(|v| v.value().to_string());
                if stored.as_deref() != Some(settings.as_str()) {
                    return Err(format!(
                        "data directory {} holds a world made with other settings (seed, subscriptions, \
                         region profile, operation delay, limits); start with the same flags, or use \
                         another --data-dir.\n  stored: {}\n  now:    {settings}",
                        dir.display(),
                        stored.unwrap_or_default()
                    ));
                }
            }
            Some(other) => return Err(format!("data directory {}: unknown format {other}", dir.display())),
        }
        txn.open_table(JOURNAL).map_err(|e| err(&e))?;
    }
    txn.commit().map_err(|e| err(&e))?;

    let read = db.begin_read().map_err(|e| err(&e))?;
    let table = read.open_table(JOURNAL).map_err(|e| err(&e))?;
    let mut records = Vec::new();
    let mut next = 0;
    for row in table.iter().map_err(|e| err(&e))? {
        let (key, value) = row.map_err(|e| err(&e))?;
        let record: Record = serde_json::from_slice(value.value())
            .map_err(|e| format!("data directory {}: record {} unreadable: {e}", dir.display(), key.value()))?;
        records.push(record);
        next = key.value() + 1;
    }
    drop(table);
    drop(read);
    Ok(DataDir { path: dir.to_path_buf(), journal: Journal { db, next: Mutex::new(next) }, records })
}

/// Replays records into `world`, in order.
pub fn replay(world: &mut World, records: &[Record]) -> Result<(), String> {
    for (i, record) in records.iter().enumerate() {
        world.replay(record).map_err(|e| format!("journal record {i}: {e}"))?;
    }
    Ok(())
}

impl JournalSink for Journal {
    fn append(&self, record: &Record) -> Result<(), String> {
        let bytes = serde_json::to_vec(record).map_err(|e| e.to_string())?;
        let mut next = self.next.lock().unwrap_or_else(|p| p.into_inner());
        let txn = self.db.begin_write().map_err(|e| e.to_string())?;
        {
            let mut table = txn.open_table(JOURNAL).map_err(|e| e.to_string())?;
            table.insert(*next, bytes.as_slice()).map_err(|e| e.to_string())?;
        }
        txn.commit().map_err(|e| e.to_string())?;
        *next += 1;
        Ok(())
    }

    fn clear(&self) -> Result<(), String> {
        let mut next = self.next.lock().unwrap_or_else(|p| p.into_inner());
        let txn = self.db.begin_write().map_err(|e| e.to_string())?;
        txn.delete_table(JOURNAL).map_err(|e| e.to_string())?;
        txn.open_table(JOURNAL).map_err(|e| e.to_string())?;
        txn.commit().map_err(|e| e.to_string())?;
        *next = 0;
        Ok(())
    }
}
