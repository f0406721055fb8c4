//! GraphQL at `/graphql`, for dashboards: the same service layer as REST (which decides access
//! and scopes the SQL), Relay-style connections over the same cursors, DataLoaders for every
//! relation, and limits on depth, complexity, aliases and batches.

pub mod activities;
pub mod activity_writes;
pub mod cases;
pub mod changes;
pub mod enums;
pub mod errors;
pub mod field_reports;
pub mod follow_ups;
pub mod graphiql;
pub mod http;
pub mod indicators;
pub mod limits;
pub mod loader;
pub mod node;
pub mod organizations;
pub mod programmes;
pub mod slots;
pub mod statistics;

use async_graphql::connection::{Connection, Edge};

use async_graphql::{
    Context, MaybeUndefined, MergedObject, MergedSubscription, ObjectType, OutputType, Schema,
};
use gloact_persistence::{Cursor, Db, Page, PageRequest};
use uuid::Uuid;

use crate::config::Settings;
use crate::input::fields::Patch;
use crate::input::paging::{DEFAULT_LIMIT, encode_cursor, page_request};
use crate::service::Caller;
use errors::OrGraphqlError;
use loader::Loaders;

/// Every query.
#[derive(MergedObject, Default, Debug)]
pub struct Query(
    organizations::OrganizationsQuery,
    organizations::OrganizationChangesQuery,
    programmes::ProgrammesQuery,
    programmes::ProgrammeChangesQuery,
    activities::ActivitiesQuery,
    activities::ActivityChangesQuery,
    follow_ups::FollowUpsQuery,
    follow_ups::FollowUpActionChangesQuery,
    indicators::IndicatorsQuery,
    indicators::IndicatorChangesQuery,
    field_reports::FieldReportsQuery,
    field_reports::FieldReportChangesQuery,
    cases::CasesQuery,
    cases::CaseChangesQuery,
    statistics::StatisticsQuery,
    node::NodeQuery,
);

/// Every mutation.
#[derive(MergedObject, Default, Debug)]
pub struct Mutation(
    activity_writes::ActivitiesMutation,
    follow_ups::FollowUpsMutation,
    field_reports::FieldReportsMutation,
);

/// Every subscription.
#[derive(MergedSubscription, Default, Debug)]
pub struct Subscription(field_reports::FieldReportsSubscription);

/// The schema served.
pub type GloactSchema = Schema<Query, Mutation, Subscription>;

/// The schema with the limits of `settings`. Introspection, and the field suggestions in
/// errors that would give the schema away just as well, are on only where the settings say.
pub fn schema(settings: &Settings) -> GloactSchema {
    let limits = &settings.graphql;
    let slots = slots::SubscriptionSlots::new(
        limits.max_subscriptions,
        limits.max_subscriptions_per_caller,
    );
    let builder = Schema::build(
        Query::default(),
        Mutation::default(),
        Subscription::default(),
    )
    .data(slots)
    .limit_depth(limits.max_depth)
    .limit_complexity(limits.max_complexity)
    .limit_directives(limits::MAX_DIRECTIVES)
    .extension(limits::ParseLimits {
        max_aliases: limits.max_aliases,
    });
    if settings.graphql_introspection() {
        builder.finish()
    } else {
        builder
            .disable_introspection()
            .disable_suggestions()
            .finish()
    }
}

/// The schema as SDL: what `openapi/schema.graphql` holds.
pub fn sdl() -> String {
    Schema::build(
        Query::default(),
        Mutation::default(),
        Subscription::default(),
    )
    .finish()
    .sdl()
}

/// The database and the caller of the request a resolver runs in.
fn request<'a>(ctx: &Context<'a>) -> async_graphql::Result<(&'a Db, &'a Caller)> {
    Ok((ctx.data::<Db>()?, ctx.data::<Caller>()?))
}

/// The loaders of the request a resolver runs in.
fn loaders<'a>(ctx: &Context<'a>) -> async_graphql::Result<&'a Loaders> {
    ctx.data::<Loaders>()
}

/// The page a connection field asks for: `first` (1 to 500, default 50) items after the cursor
/// `after`, with the same checks and codes as REST's `limit` and `after`.
fn page(first: Option<i32>, after: Option<&str>) -> async_graphql::Result<PageRequest> {
    page_request(after, page_limit(first), None).gql()
}

/// `first` as REST's `limit`: a negative one becomes a limit out of range, refused as REST
/// refuses it.
fn page_limit(first: Option<i32>) -> Option<u32> {
    first.map(|f| u32::try_from(f).unwrap_or(u32::MAX))
}

/// The complexity of a connection field: its items' complexity once per item asked for.
fn page_complexity(first: Option<i32>, child_complexity: usize) -> usize {
    let items = first.map_or(DEFAULT_LIMIT as usize, |f| {
        usize::try_from(f.clamp(1, i32::from(PageRequest::MAX_LIMIT))).unwrap_or(1)
    });
    items.saturating_mul(child_complexity).saturating_add(1)
}

/// A Relay connection of a page: each edge's cursor continues after its node, as REST's
/// `next_cursor` does after the last item.
fn connection<T, Id, N, F>(
    page: Page<T, Id>,
    after_given: bool,
    fields: F,
    id_of: impl Fn(&T) -> Uuid,
    node: impl Fn(T) -> N,
) -> Connection<String, N, F>
where
    N: OutputType,
    F: ObjectType,
{
    let mut connection =
        Connection::with_additional_fields(after_given, page.next.is_some(), fields);
    connection.edges.extend(page.items.into_iter().map(|item| {
        let cursor = encode_cursor(Cursor::Id(id_of(&item)));
        Edge::new(cursor, node(item))
    }));
    connection
}

/// An optional input field that `null` clears, as REST's PATCH bodies carry it.
fn clearable<T>(value: MaybeUndefined<T>, render: impl FnOnce(T) -> String) -> Patch<String> {
    Patch::from(value).map(render)
}

impl<T> From<MaybeUndefined<T>> for Patch<T> {
    fn from(value: MaybeUndefined<T>) -> Self {
        match value {
            MaybeUndefined::Undefined => Self::Keep,
            MaybeUndefined::Null => Self::Clear,
            MaybeUndefined::Value(v) => Self::Set(v),
        }
    }
}

/// The wire name of a GraphQL enum value, through the domain enum it mirrors.
fn wire<D: From<G> + std::fmt::Display, G>(value: G) -> String {
    D::from(value).to_string()
}
