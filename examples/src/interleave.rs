//! Cooperative scheduling: two tasks that yield take turns, one line each,
//! in the runtime's first-in first-out ready queue (the articles'
//! round-robin scheduler).

use std::cell::RefCell;
use std::rc::Rc;

use solo::task::yield_now;

/// Runs tasks `names` at once; each logs `steps` lines, calling
/// `yield_now().await` between two lines. Returns the lines in the order
/// they were produced (each is also passed to `print`, as it happens).
pub async fn run(names: &[&str], steps: usize, print: impl Fn(&str) + 'static) -> Vec<String> {
    let log = Rc::new(RefCell::new(Vec::new()));
    let print: Rc<dyn Fn(&str)> = Rc::new(print);
    let tasks: Vec<_> = names
        .iter()
        .map(|&name| {
            let (log, print, name) = (log.clone(), print.clone(), name.to_owned());
            solo::spawn(async move {
                for step in 1..=steps {
                    let line = format!("{name}: step {step}");
                    print(&line);
                    log.borrow_mut().push(line);
                    if step < steps {
                        yield_now().await;
                    }
                }
            })
        })
        .collect();
    for t in tasks {
        // The tasks only log and yield: they cannot fail.
        let _ = t.await;
    }
    let lines = log.borrow().clone();
    lines
}
