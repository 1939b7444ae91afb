//! What the database must hold, as the workload's clients know it from the
//! answers they got.
//!
//! Each client owns its items: only it writes them, one request at a time,
//! so the acknowledged changes of an item form one sequence. When the
//! server dies, each client has at most one request whose answer was lost;
//! its changes (to several items, for a transaction) may or may not have
//! been applied — but all of them or none. The shared counters are written
//! by every client (`ADD n :1`), so their changes are known as a set, not a
//! sequence. A restarted server is checked against this (`verify.rs`), and
//! the model then takes what the server shows as its new starting point.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{json, Map, Value};

/// An item in DynamoDB JSON: attribute name → attribute value.
pub type Item = Map<String, Value>;

/// An item's primary key: (`pk`, `sk`).
pub type Key = (String, String);

/// The key of `item`, if it has the table's key attributes.
pub fn key_of(item: &Item) -> Option<Key> {
    let pk = item.get("pk")?["S"].as_str()?.to_string();
    let sk = item.get("sk")?["S"].as_str()?.to_string();
    Some((pk, sk))
}

/// The key attributes of `key` as an item.
pub fn key_item(key: &Key) -> Item {
    let mut item = Item::new();
    item.insert("pk".into(), json!({"S": key.0}));
    item.insert("sk".into(), json!({"S": key.1}));
    item
}

/// A string attribute of an item, if it is one.
pub fn string_attr<'a>(item: &'a Item, name: &str) -> Option<&'a str> {
    item.get(name)?["S"].as_str()
}

/// One change a write made (or may have made) to one item.
#[derive(Debug, Clone)]
pub struct Change {
    /// The write's id (attribute `w` of the items it writes).
    pub w: String,
    /// The item after the change; `None` if it deleted the item.
    pub new: Option<Item>,
}

/// One item a client owns.
#[derive(Debug, Clone, Default)]
pub struct Owned {
    /// Its state when last verified.
    pub verified: Option<Item>,
    /// The changes acknowledged since, in order.
    pub acked: Vec<Change>,
    /// The change of the request whose answer was lost, if it touched this
    /// item (always after every acknowledged one).
    pub lost: Option<Change>,
}

impl Owned {
    /// The state every acknowledged change leads to.
    pub fn current(&self) -> Option<&Item> {
        match self.acked.last() {
            Some(c) => c.new.as_ref(),
            None => self.verified.as_ref(),
        }
    }
}

/// The request a client had in flight when its connection broke.
#[derive(Debug, Clone)]
pub struct Lost {
    /// The write's id.
    pub w: String,
    /// The owned items it would change.
    pub keys: Vec<Key>,
    /// The counter it would increment.
    pub counter: Option<Key>,
}

/// A counter every client increments.
#[derive(Debug, Clone, Default)]
pub struct Counter {
    /// Its state when last verified.
    pub verified: Option<Item>,
    /// Ids of the acknowledged increments since.
    pub acked: BTreeSet<String>,
    /// Ids of increments whose answer was lost.
    pub lost: BTreeSet<String>,
}

/// Every counter, by key.
pub type Counters = BTreeMap<Key, Counter>;

/// What one client did, counted.
#[derive(Debug, Clone, Copy, Default)]
pub struct Tally {
    /// Acknowledged PutItems.
    pub puts: u64,
    /// Acknowledged DeleteItems.
    pub deletes: u64,
    /// Acknowledged conditional UpdateItems.
    pub updates: u64,
    /// Acknowledged TransactWriteItems.
    pub transactions: u64,
    /// Acknowledged counter increments (UpdateItem ADD).
    pub increments: u64,
    /// Writes refused for a condition made to fail, as expected.
    pub condition_failures: u64,
    /// Transactions cancelled for a condition made to fail, as expected.
    pub cancelled: u64,
    /// Writes refused as conflicting with a transaction (nothing applied).
    pub conflicts: u64,
    /// Writes refused as throttled (nothing applied).
    pub throttled: u64,
    /// Reads whose answer was compared with the model.
    pub reads: u64,
}

impl Tally {
    /// Acknowledged writes of every kind.
    pub fn acked_writes(&self) -> u64 {
        self.puts + self.deletes + self.updates + self.transactions + self.increments
    }

    /// Adds `other` to this tally.
    pub fn add(&mut self, o: &Tally) {
        self.puts += o.puts;
        self.deletes += o.deletes;
        self.updates += o.updates;
        self.transactions += o.transactions;
        self.increments += o.increments;
        self.condition_failures += o.condition_failures;
        self.cancelled += o.cancelled;
        self.conflicts += o.conflicts;
        self.throttled += o.throttled;
        self.reads += o.reads;
    }
}

/// One client's items, its lost request and its counts.
pub struct ClientModel {
    /// The client's number.
    pub id: usize,
    /// Its items.
    pub items: BTreeMap<Key, Owned>,
    /// Its request whose answer was lost.
    pub lost: Option<Lost>,
    /// Writes issued so far (numbers the write ids).
    pub seq: u64,
    /// Its random choices.
    pub rng: fastrand::Rng,
    /// What it did.
    pub tally: Tally,
}

impl ClientModel {
    /// Client `id` owning `partitions` × `per_partition` items, none
    /// written yet.
    pub fn new(id: usize, partitions: usize, per_partition: usize, seed: u64) -> ClientModel {
        let items = (0..partitions)
            .flat_map(|p| (0..per_partition).map(move |s| (p, s)))
            .map(|(p, s)| ((format!("c{id}-p{p}"), format!("s{s}")), Owned::default()))
            .collect();
        ClientModel {
            id,
            items,
            lost: None,
            seq: 0,
            rng: fastrand::Rng::with_seed(seed ^ (id as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15)),
            tally: Tally::default(),
        }
    }

    /// A fresh write id.
    pub fn next_w(&mut self) -> String {
        self.seq += 1;
        format!("c{}-{}", self.id, self.seq)
    }

    /// A random owned key.
    pub fn pick(&mut self) -> Key {
        let n = self.rng.usize(..self.items.len());
        self.items.keys().nth(n).expect("in range").clone()
    }

    /// `n` distinct random owned keys (fewer if the client owns fewer).
    pub fn pick_distinct(&mut self, n: usize) -> Vec<Key> {
        let mut keys: Vec<Key> = self.items.keys().cloned().collect();
        self.rng.shuffle(&mut keys);
        keys.truncate(n);
        keys
    }
}
