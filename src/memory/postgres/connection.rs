//! The database thread's connection, each statement prepared once per connection.
//!
//! A statement given to the client as text is prepared at every call: a round trip
//! for the server to parse and plan it, then one to run it. The memory's calls are
//! mostly one short lookup each (a segment, a file's record), so that doubled the
//! time of nearly every call. Here each statement text is prepared on its first use
//! and run from then on in one round trip. The texts are the store's own literals
//! (a few dozen), so the cache stays small.

use std::borrow::BorrowMut;
use std::collections::HashMap;

use postgres::types::ToSql;
use postgres::{Client, GenericClient, Row, Statement, Transaction};

/// Statements prepared on this connection, by their text.
#[derive(Default)]
pub(super) struct Prepared(HashMap<String, Statement>);

/// A client (the connection, or a transaction on it) and the connection's prepared
/// statements: owned by the connection, borrowed by its transactions.
pub(super) struct Cached<C, P> {
    client: C,
    prepared: P,
}

/// The connection the database thread owns.
pub(super) type Connection = Cached<Client, Prepared>;

/// A transaction on the [`Connection`]; rolled back when dropped uncommitted.
pub(super) type Tx<'a> = Cached<Transaction<'a>, &'a mut Prepared>;

impl Connection {
    pub(super) fn new(client: Client) -> Connection {
        Cached {
            client,
            prepared: Prepared::default(),
        }
    }

    /// A transaction whose statements use (and fill) this connection's cache: a
    /// statement prepared inside a transaction outlives it, committed or not.
    pub(super) fn transaction(&mut self) -> Result<Tx<'_>, postgres::Error> {
        Ok(Cached {
            client: self.client.transaction()?,
            prepared: &mut self.prepared,
        })
    }
}

impl Tx<'_> {
    pub(super) fn commit(self) -> Result<(), postgres::Error> {
        self.client.commit()
    }
}

impl<C: GenericClient, P: BorrowMut<Prepared>> Cached<C, P> {
    /// `sql` prepared on its first use, from the cache after.
    fn statement(&mut self, sql: &str) -> Result<Statement, postgres::Error> {
        let prepared = &mut self.prepared.borrow_mut().0;
        if let Some(statement) = prepared.get(sql) {
            return Ok(statement.clone());
        }
        let statement = self.client.prepare(sql)?;
        prepared.insert(sql.to_owned(), statement.clone());
        Ok(statement)
    }

    pub(super) fn query(
        &mut self,
        sql: &str,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<Vec<Row>, postgres::Error> {
        let statement = self.statement(sql)?;
        self.client.query(&statement, params)
    }

    pub(super) fn query_opt(
        &mut self,
        sql: &str,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<Option<Row>, postgres::Error> {
        let statement = self.statement(sql)?;
        self.client.query_opt(&statement, params)
    }

    pub(super) fn query_one(
        &mut self,
        sql: &str,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<Row, postgres::Error> {
        let statement = self.statement(sql)?;
        self.client.query_one(&statement, params)
    }

    pub(super) fn execute(
        &mut self,
        sql: &str,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<u64, postgres::Error> {
        let statement = self.statement(sql)?;
        self.client.execute(&statement, params)
    }
}
