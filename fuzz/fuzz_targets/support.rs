//! What the request-level targets share.

use std::task::{Context, Poll, Waker};

/// Runs a future on this thread: the in-memory store never waits, and a Bulk request only
/// yields between its operations (pending once, waking itself), so polling again finishes it.
pub fn ready<F: std::future::Future>(future: F) -> F::Output {
    let mut future = std::pin::pin!(future);
    let mut cx = Context::from_waker(Waker::noop());
    for _ in 0..1_000_000 {
        if let Poll::Ready(output) = future.as_mut().poll(&mut cx) {
            return output;
        }
    }
    panic!("the in-memory service never waits for anything but its own yields")
}
