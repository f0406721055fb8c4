//! Limits async-graphql has no setting for: aliases per query (one request could otherwise ask
//! for the same expensive field hundreds of times under different names) and, for `GET`,
//! queries only. Both are checked right after parsing, before validation and execution.

use std::sync::Arc;

use async_graphql::extensions::{Extension, ExtensionContext, ExtensionFactory, NextParseQuery};
use async_graphql::parser::types::{ExecutableDocument, OperationType, Selection, SelectionSet};
use async_graphql::{ErrorExtensionValues, ServerError, ServerResult, Variables};

/// Most directives on one field: `@skip` and `@include` are all a query needs; thousands of them
/// would make one field cost the server a long parse and check.
pub const MAX_DIRECTIVES: usize = 4;

/// Marks a request that came by `GET`: it may hold queries only.
#[derive(Debug, Clone, Copy)]
pub struct ReadOnly;

/// The error code of a mutation sent by `GET`.
pub const MUTATION_OVER_GET: &str = "mutation_over_get";

/// Marks an operation that came over the WebSocket: it may be a subscription only. (Queries and
/// mutations go over HTTP, where the token is checked on every request; a socket's token is
/// checked at the upgrade and then by the subscription itself.)
#[derive(Debug, Clone, Copy)]
pub struct SubscriptionsOnly;

/// The error code of a query or mutation sent over the WebSocket.
pub const NOT_A_SUBSCRIPTION: &str = "subscriptions_only";

/// Most selections visited while counting aliases through fragments: a document that spreads
/// fragments into each other beyond this is refused rather than walked.
const MAX_VISITS: usize = 10_000;

/// The parse-time checks, as a schema extension.
#[derive(Debug, Clone, Copy)]
pub struct ParseLimits {
    /// Most aliases a query may use.
    pub max_aliases: usize,
}

impl ExtensionFactory for ParseLimits {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(*self)
    }
}

fn refuse(code: &'static str, message: String) -> ServerError {
    let mut error = ServerError::new(message, None);
    let mut extensions = ErrorExtensionValues::default();
    extensions.set("code", code);
    error.extensions = Some(extensions);
    error
}

#[async_graphql::async_trait::async_trait]
impl Extension for ParseLimits {
    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        let document = next.run(ctx, query, variables).await?;
        if ctx.data_opt::<ReadOnly>().is_some()
            && document
                .operations
                .iter()
                .any(|(_, op)| op.node.ty != OperationType::Query)
        {
            return Err(refuse(
                MUTATION_OVER_GET,
                "GET requests may hold queries only: send mutations with POST".into(),
            ));
        }
        if ctx.data_opt::<SubscriptionsOnly>().is_some()
            && document
                .operations
                .iter()
                .any(|(_, op)| op.node.ty != OperationType::Subscription)
        {
            return Err(refuse(
                NOT_A_SUBSCRIPTION,
                "the WebSocket carries subscriptions only: send queries and mutations with POST"
                    .into(),
            ));
        }
        let mut counter = AliasCounter {
            document: &document,
            aliases: 0,
            visits: 0,
            max: self.max_aliases,
        };
        for (_, operation) in document.operations.iter() {
            counter.walk(&operation.node.selection_set.node, 0);
        }
        if counter.visits > MAX_VISITS {
            return Err(refuse(
                "query_too_complex",
                "the query spreads its fragments too many times".into(),
            ));
        }
        if counter.aliases > self.max_aliases {
            return Err(refuse(
                "too_many_aliases",
                format!("the query uses more than {} aliases", self.max_aliases),
            ));
        }
        Ok(document)
    }
}

/// Counts aliases as the query would be executed: a fragment counts once per spread.
struct AliasCounter<'a> {
    document: &'a ExecutableDocument,
    aliases: usize,
    visits: usize,
    max: usize,
}

impl AliasCounter<'_> {
    fn walk(&mut self, set: &SelectionSet, depth: usize) {
        // Fragments that spread into each other are refused by validation later; the depth cap
        // keeps this walk finite until then.
        if depth > 64 {
            return;
        }
        for selection in &set.items {
            self.visits += 1;
            if self.aliases > self.max || self.visits > MAX_VISITS {
                return;
            }
            match &selection.node {
                Selection::Field(field) => {
                    if field.node.alias.is_some() {
                        self.aliases += 1;
                    }
                    self.walk(&field.node.selection_set.node, depth + 1);
                }
                Selection::InlineFragment(fragment) => {
                    self.walk(&fragment.node.selection_set.node, depth + 1);
                }
                Selection::FragmentSpread(spread) => {
                    if let Some(fragment) =
                        self.document.fragments.get(&spread.node.fragment_name.node)
                    {
                        self.walk(&fragment.node.selection_set.node, depth + 1);
                    }
                }
            }
        }
    }
}
