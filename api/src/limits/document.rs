//! A GraphQL document measured before async-graphql validates it.
//!
//! Validation walks every fragment spread where it is used, so a document
//! of a few lines whose fragments each spread the previous one twice
//! (`fragment F1 on QueryRoot { ...F0 ...F0 }` … `F30`) costs 2^30 steps.
//! Here each fragment is measured once (memoised) and the document is
//! refused as soon as its expansion passes the selection cap, so a bomb
//! costs no more than its text. Depth and root fields are measured the
//! same way (with every spread expanded, every alias counted).
use std::collections::HashMap;

use async_graphql::Positioned;
use async_graphql::parser::types::{
    ExecutableDocument, FragmentDefinition, OperationType, Selection, SelectionSet,
};

use super::{LimitSettings, MAX_FRAGMENT_NESTING, Refusal};

/// A selection set once expanded.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Shape {
    /// Fields selected at every level.
    pub selections: usize,
    /// Levels of fields (a leaf at the top is 1, as async-graphql counts).
    pub depth: usize,
    /// Fields at the top level, aliases included.
    pub top_fields: usize,
}

/// Checks the request's document (parsed once here, and kept for the
/// executor) and returns the type of the operation to run. A document that
/// does not parse is left to the executor, which reports the syntax error.
pub fn check(
    request: &mut async_graphql::Request,
    settings: &LimitSettings,
) -> Result<OperationType, Refusal> {
    let name = request.operation_name.clone();
    let Ok(document) = request.parsed_query() else {
        return Ok(OperationType::Query);
    };
    measure(document, settings)?;
    Ok(operation_type(document, name.as_deref()))
}

/// Refuses a document over any limit. Fragments are measured first, each
/// once and after the fragments it spreads (so no walk recurses into a
/// spread), then every operation.
pub fn measure(document: &ExecutableDocument, settings: &LimitSettings) -> Result<(), Refusal> {
    let mut walk = Walk {
        settings,
        memo: HashMap::new(),
    };
    let mut nesting: HashMap<&str, usize> = HashMap::new();
    for name in dependency_order(&document.fragments)? {
        let definition = &document.fragments[name];
        let inner = spreads(&definition.node.selection_set)
            .filter_map(|spread| nesting.get(spread).copied())
            .max()
            .unwrap_or(0);
        if inner + 1 > MAX_FRAGMENT_NESTING {
            return Err(Refusal::Document(format!(
                "fragment spreads are nested more than {MAX_FRAGMENT_NESTING} deep"
            )));
        }
        nesting.insert(name, inner + 1);
        let shape = walk.set(&definition.node.selection_set, 0)?;
        walk.memo.insert(name, shape);
    }
    for (_, operation) in document.operations.iter() {
        let roots = walk.top_fields(&operation.node.selection_set);
        if roots > settings.max_root_fields {
            return Err(Refusal::Document(format!(
                "the operation selects {roots} root fields (aliases and fragments included); at most {} are allowed",
                settings.max_root_fields
            )));
        }
        walk.set(&operation.node.selection_set, 0)?;
    }
    Ok(())
}

type Fragments = HashMap<async_graphql::Name, Positioned<FragmentDefinition>>;

/// Every fragment after the fragments it spreads (unknown ones are left to
/// validation); a cycle is refused. Iterative, however long the chain.
fn dependency_order(fragments: &Fragments) -> Result<Vec<&str>, Refusal> {
    let mut done: HashMap<&str, bool> = HashMap::new(); // false: in progress
    let mut order = Vec::with_capacity(fragments.len());
    for root in fragments.keys() {
        let mut stack: Vec<(&str, bool)> = vec![(root.as_str(), false)];
        while let Some((name, expanded)) = stack.pop() {
            if expanded {
                done.insert(name, true);
                order.push(name);
                continue;
            }
            match done.get(name) {
                Some(true) => continue,
                Some(false) => {
                    return Err(Refusal::Document(format!("fragment {name} spreads itself")));
                }
                None => {}
            }
            let Some((key, definition)) = fragments.get_key_value(name) else {
                continue;
            };
            done.insert(key.as_str(), false);
            stack.push((key.as_str(), true));
            for spread in spreads(&definition.node.selection_set) {
                if done.get(spread) != Some(&true) {
                    stack.push((spread, false));
                }
            }
        }
    }
    Ok(order)
}

/// The fragments a selection set spreads, at any level.
fn spreads(set: &Positioned<SelectionSet>) -> impl Iterator<Item = &str> {
    let mut found = Vec::new();
    let mut sets = vec![set];
    while let Some(set) = sets.pop() {
        for item in &set.node.items {
            match &item.node {
                Selection::Field(field) => sets.push(&field.node.selection_set),
                Selection::InlineFragment(inline) => sets.push(&inline.node.selection_set),
                Selection::FragmentSpread(spread) => {
                    found.push(spread.node.fragment_name.node.as_str());
                }
            }
        }
    }
    found.into_iter()
}

/// The type of the operation a request runs (a query when none matches:
/// the executor reports that).
pub fn operation_type(document: &ExecutableDocument, name: Option<&str>) -> OperationType {
    document
        .operations
        .iter()
        .find(|(op_name, _)| name.is_none() || op_name.map(|n| n.as_str()) == name)
        .map_or(OperationType::Query, |(_, op)| op.node.ty)
}

struct Walk<'a> {
    settings: &'a LimitSettings,
    /// Shapes of the fragments measured so far.
    memo: HashMap<&'a str, Shape>,
}

impl<'a> Walk<'a> {
    /// `above` is the number of field levels above this set (relative to
    /// the fragment being measured, so that shapes can be memoised).
    fn set(&mut self, set: &'a Positioned<SelectionSet>, above: usize) -> Result<Shape, Refusal> {
        let mut shape = Shape::default();
        for item in &set.node.items {
            let inner = match &item.node {
                Selection::Field(field) => {
                    if above >= self.settings.max_depth {
                        return Err(self.too_deep());
                    }
                    let below = self.set(&field.node.selection_set, above + 1)?;
                    Shape {
                        selections: below.selections.saturating_add(1),
                        depth: below.depth + 1,
                        top_fields: 1,
                    }
                }
                Selection::InlineFragment(inline) => self.set(&inline.node.selection_set, above)?,
                // Measured before (an unknown fragment measures empty:
                // validation names it).
                Selection::FragmentSpread(spread) => self
                    .memo
                    .get(spread.node.fragment_name.node.as_str())
                    .copied()
                    .unwrap_or_default(),
            };
            if above + inner.depth > self.settings.max_depth {
                return Err(self.too_deep());
            }
            shape.selections = shape.selections.saturating_add(inner.selections);
            shape.top_fields = shape.top_fields.saturating_add(inner.top_fields);
            shape.depth = shape.depth.max(inner.depth);
            if shape.selections > self.settings.max_selections {
                return Err(Refusal::Document(format!(
                    "the document selects more than {} fields once its fragment spreads are expanded; split it",
                    self.settings.max_selections
                )));
            }
        }
        Ok(shape)
    }

    /// The fields at the top of a set, through inline fragments and
    /// (already measured) spreads.
    fn top_fields(&self, set: &Positioned<SelectionSet>) -> usize {
        set.node.items.iter().fold(0usize, |sum, item| {
            sum.saturating_add(match &item.node {
                Selection::Field(_) => 1,
                Selection::InlineFragment(inline) => self.top_fields(&inline.node.selection_set),
                Selection::FragmentSpread(spread) => self
                    .memo
                    .get(spread.node.fragment_name.node.as_str())
                    .map_or(0, |shape| shape.top_fields),
            })
        })
    }

    fn too_deep(&self) -> Refusal {
        Refusal::Document(format!(
            "the document nests fields more than {} deep",
            self.settings.max_depth
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use async_graphql::parser::parse_query;

    fn refusal(query: &str) -> Option<String> {
        let document = parse_query(query).expect("parses");
        match measure(&document, &LimitSettings::default()) {
            Ok(()) => None,
            Err(Refusal::Document(message)) => Some(message),
            Err(other) => panic!("unexpected {other:?}"),
        }
    }

    /// `fragment F1 on QueryRoot { ...F0 ...F0 }` … `F{n}`, used once.
    fn bomb(levels: usize) -> String {
        let mut query =
            String::from("query { ...Bomb }\nfragment F0 on QueryRoot { __typename }\n");
        for i in 1..=levels {
            query.push_str(&format!(
                "fragment F{i} on QueryRoot {{ ...F{p} ...F{p} }}\n",
                p = i - 1
            ));
        }
        query.push_str(&format!("fragment Bomb on QueryRoot {{ ...F{levels} }}\n"));
        query
    }

    #[test]
    fn a_fragment_bomb_is_refused_by_its_expansion() {
        let message = refusal(&bomb(30)).expect("refused");
        assert!(
            message.contains("fragment spreads are expanded"),
            "{message}"
        );
        // Below the cap, 2^10 = 1024 selections pass (as root fields, too
        // many of them).
        let document = parse_query(bomb(10)).expect("parses");
        let wide = LimitSettings {
            max_root_fields: 1024,
            ..LimitSettings::default()
        };
        assert_eq!(measure(&document, &wide), Ok(()));
        assert!(refusal(&bomb(10)).is_some_and(|m| m.contains("1024 root fields")));
    }

    #[test]
    fn aliases_count_as_root_fields() {
        let aliases: String = (0..21).map(|i| format!("a{i}: __typename ")).collect();
        let message = refusal(&format!("{{ {aliases} }}")).expect("refused");
        assert!(message.contains("21 root fields"), "{message}");
        let via_fragment = format!("{{ ...R }} fragment R on QueryRoot {{ {aliases} }}");
        assert!(refusal(&via_fragment).is_some());
        let twenty: String = (0..20).map(|i| format!("a{i}: __typename ")).collect();
        assert_eq!(refusal(&format!("{{ {twenty} }}")), None);
    }

    #[test]
    fn depth_counts_through_fragments() {
        let nested = |levels: usize| {
            let open = "a { ".repeat(levels - 1);
            let close = "} ".repeat(levels - 1);
            format!("{{ ...X }} fragment X on QueryRoot {{ {open} b {close} }}")
        };
        assert_eq!(refusal(&nested(15)), None);
        let message = refusal(&nested(16)).expect("refused");
        assert!(message.contains("more than 15 deep"), "{message}");
    }

    #[test]
    fn cycles_and_long_chains_are_refused_without_recursing_forever() {
        assert!(refusal("{ ...A } fragment A on Q { ...B } fragment B on Q { ...A }").is_some());
        let chain: String = (1..=100)
            .map(|i| format!("fragment C{i} on Q {{ ...C{} }}\n", i - 1))
            .collect();
        let query = format!("{{ ...C100 }} fragment C0 on Q {{ x }}\n{chain}");
        let message = refusal(&query).expect("refused");
        assert!(message.contains("nested more than"), "{message}");
    }

    #[test]
    fn the_operation_type_follows_the_operation_name() {
        let document = parse_query("query A { x } mutation B { y }").expect("parses");
        assert_eq!(
            operation_type(&document, Some("B")),
            OperationType::Mutation
        );
        assert_eq!(operation_type(&document, Some("A")), OperationType::Query);
    }
}
