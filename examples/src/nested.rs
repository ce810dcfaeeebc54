//! Awaiting inside awaiting: an `async fn` awaits another that awaits a
//! third, and the innermost value comes back up the chain (the articles'
//! `yield from`). Then an async recursive walk of a binary tree that hands
//! each value to a consumer task as it visits it.

use std::cell::RefCell;
use std::rc::Rc;

use solo::sync::{bounded, Sender};
use solo::task::yield_now;

/// A trace of the calls, shared by the three levels.
pub type Trace = Rc<RefCell<Vec<String>>>;

/// The innermost level: suspends once, then returns 42.
pub async fn inner(trace: Trace) -> u32 {
    trace.borrow_mut().push("inner: start".into());
    yield_now().await; // suspends the whole chain, like a bare `yield`
    trace.borrow_mut().push("inner: returns 42".into());
    42
}

/// The middle level: awaits [`inner`] and adds one.
pub async fn middle(trace: Trace) -> u32 {
    trace.borrow_mut().push("middle: start".into());
    let v = inner(trace.clone()).await;
    trace
        .borrow_mut()
        .push(format!("middle: got {v}, returns {}", v + 1));
    v + 1
}

/// The outer level, run as a task: awaits [`middle`] and doubles it.
/// Returns the value and the trace of the three levels.
pub async fn chain() -> (u32, Vec<String>) {
    let trace = Trace::default();
    let t = trace.clone();
    let outer = solo::spawn(async move {
        t.borrow_mut().push("outer: start".into());
        let v = middle(t.clone()).await;
        t.borrow_mut()
            .push(format!("outer: got {v}, returns {}", v * 2));
        v * 2
    });
    let value = outer.await.unwrap_or(0);
    let lines = trace.borrow().clone();
    (value, lines)
}

/// A binary tree node.
#[derive(Debug)]
pub struct Node {
    /// The node's value.
    pub value: u32,
    /// Left subtree.
    pub left: Option<Box<Node>>,
    /// Right subtree.
    pub right: Option<Box<Node>>,
}

fn node(value: u32, left: Option<Box<Node>>, right: Option<Box<Node>>) -> Box<Node> {
    Box::new(Node { value, left, right })
}

fn leaf(value: u32) -> Option<Box<Node>> {
    Some(node(value, None, None))
}

/// The articles' tree:
///
/// ```text
///             0
///           /   \
///          3     4
///         /       \
///        2         5
///       / \         \
///      1   10        6
///     /    /
///    7    9
///     \
///      8
/// ```
pub fn articles_tree() -> Box<Node> {
    let seven = Some(node(7, None, leaf(8)));
    let two = Some(node(
        2,
        Some(node(1, seven, None)),
        Some(node(10, leaf(9), None)),
    ));
    let four = Some(node(4, None, Some(node(5, None, leaf(6)))));
    node(0, Some(node(3, two, None)), four)
}

/// Visits `tree` in order, sending each value on `out` as it goes; each
/// level awaits the walk of its subtrees, as `yield from` delegates.
/// Stops early (returning `false`) if the receiver is gone.
pub async fn walk(tree: &Node, out: &Sender<u32>) -> bool {
    if let Some(left) = &tree.left {
        if !Box::pin(walk(left, out)).await {
            return false;
        }
    }
    if out.send(tree.value).await.is_err() {
        return false;
    }
    match &tree.right {
        Some(right) => Box::pin(walk(right, out)).await,
        None => true,
    }
}

/// Walks `tree` in one task while another collects what it sends, over a
/// channel of capacity one: the two take turns value by value.
pub async fn in_order(tree: Box<Node>) -> Vec<u32> {
    let (tx, rx) = bounded(1);
    let walker = solo::spawn(async move { walk(&tree, &tx).await });
    let mut values = Vec::new();
    while let Ok(v) = rx.recv().await {
        values.push(v);
    }
    let _ = walker.await;
    values
}
