//! Many writes as one (the rows of a spreadsheet import): all or nothing, in one transaction,
//! each row in a savepoint of its own so that a row that fails is rolled back alone and the rows
//! after it are still tried, and every failure is known before anything is kept.

use diesel_async::{AnsiTransactionManager, AsyncPgConnection, TransactionManager};

use crate::db::Db;
use crate::error::StoreError;

/// What became of a batch.
#[derive(Debug)]
pub struct Batch<T> {
    /// Each row's outcome, in the order given.
    pub rows: Vec<Result<T, StoreError>>,
    /// Whether the batch was kept: asked to commit, and every row succeeded.
    pub committed: bool,
}

/// Runs `write` for rows `0..rows` in one transaction, each in its own savepoint, and commits
/// only when `commit` is set and every row succeeded; otherwise rolls everything back. The
/// rows' outcomes come back either way; an `Err` is only for the transaction itself.
///
/// The transaction is driven by hand rather than through `AsyncConnection::transaction`, whose
/// callback must be `Send`: `write` is the caller's, and need not be.
///
/// The cost of a long batch: its transaction stays open while every row is written (a 10,000-row
/// import takes about 30 s), and while it is open, delta sync and the audit sealer don't pass the
/// change numbers behind it (they wait for it, as for any writer), and past 64 savepoints
/// PostgreSQL's subtransaction cache overflows, which makes other sessions' snapshots dearer.
/// Callers cap the rows (an import takes at most 10,000).
pub async fn all_or_nothing<T, F>(
    db: &Db,
    rows: usize,
    commit: bool,
    mut write: F,
) -> Result<Batch<T>, StoreError>
where
    F: AsyncFnMut(&mut AsyncPgConnection, usize) -> Result<T, StoreError>,
{
    let mut pooled = db.conn().await?;
    let conn: &mut AsyncPgConnection = &mut pooled;
    AnsiTransactionManager::begin_transaction(conn).await?;
    let mut outcomes = Vec::with_capacity(rows);
    let mut broken = None;
    for row in 0..rows {
        match in_savepoint(conn, row, &mut write).await {
            Ok(outcome) => outcomes.push(outcome),
            Err(e) => {
                broken = Some(e);
                break;
            }
        }
    }
    let committed = broken.is_none() && commit && outcomes.iter().all(Result::is_ok);
    let ended = if committed {
        AnsiTransactionManager::commit_transaction(conn).await
    } else {
        AnsiTransactionManager::rollback_transaction(conn).await
    };
    if let Some(e) = broken {
        return Err(e);
    }
    ended?;
    Ok(Batch {
        rows: outcomes,
        committed,
    })
}

/// One row's write in a savepoint: kept when it succeeds, rolled back alone when it fails. An
/// `Err` means the savepoint itself failed (the connection is gone, say): no later row can run.
async fn in_savepoint<T, F>(
    conn: &mut AsyncPgConnection,
    row: usize,
    write: &mut F,
) -> Result<Result<T, StoreError>, StoreError>
where
    F: AsyncFnMut(&mut AsyncPgConnection, usize) -> Result<T, StoreError>,
{
    AnsiTransactionManager::begin_transaction(conn).await?;
    let outcome = write(conn, row).await;
    match &outcome {
        Ok(_) => AnsiTransactionManager::commit_transaction(conn).await?,
        Err(_) => AnsiTransactionManager::rollback_transaction(conn).await?,
    }
    if let Err(StoreError::Unavailable(cause)) = &outcome {
        return Err(StoreError::Unavailable(cause.clone()));
    }
    Ok(outcome)
}
