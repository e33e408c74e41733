//! Cancelling a call from outside (an AbortSignal in JS): the call's future is dropped, so no work
//! or socket outlives it.

use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use tokio::sync::Notify;

use crate::errors::ScalekitError;

/// A one-way switch shared between the canceller and the call.
#[derive(Debug, Clone, Default)]
pub struct CancelSignal(Arc<Inner>);

#[derive(Debug, Default)]
struct Inner {
    cancelled: AtomicBool,
    notify: Notify,
}

impl CancelSignal {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn cancel(&self) {
        self.0.cancelled.store(true, Ordering::SeqCst);
        self.0.notify.notify_waiters();
    }

    pub fn is_cancelled(&self) -> bool {
        self.0.cancelled.load(Ordering::SeqCst)
    }

    /// Resolves once cancelled (at once if it already is).
    pub async fn cancelled(&self) {
        loop {
            let notified = self.0.notify.notified();
            if self.is_cancelled() {
                return;
            }
            notified.await;
        }
    }
}

/// Runs `work` until it finishes or `signal` fires, whichever comes first; on cancel the work is
/// dropped and the result is [`ScalekitError::Aborted`].
pub async fn abortable<T>(
    signal: Option<&CancelSignal>,
    work: impl Future<Output = Result<T, ScalekitError>>,
) -> Result<T, ScalekitError> {
    let Some(signal) = signal else {
        return work.await;
    };
    if signal.is_cancelled() {
        return Err(ScalekitError::Aborted);
    }
    tokio::select! {
        biased;
        _ = signal.cancelled() => Err(ScalekitError::Aborted),
        result = work => result,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[tokio::test]
    async fn cancel_drops_the_work() {
        let signal = CancelSignal::new();
        let dropped = Arc::new(AtomicBool::new(false));
        struct Flag(Arc<AtomicBool>);
        impl Drop for Flag {
            fn drop(&mut self) {
                self.0.store(true, Ordering::SeqCst);
            }
        }
        let flag = Flag(Arc::clone(&dropped));
        let canceller = signal.clone();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(20)).await;
            canceller.cancel();
        });
        let result: Result<(), _> = abortable(Some(&signal), async move {
            let _flag = flag;
            tokio::time::sleep(Duration::from_secs(60)).await;
            Ok(())
        })
        .await;
        assert!(matches!(result, Err(ScalekitError::Aborted)));
        assert!(dropped.load(Ordering::SeqCst));
    }

    #[tokio::test]
    async fn already_cancelled_never_starts() {
        let signal = CancelSignal::new();
        signal.cancel();
        let result = abortable(Some(&signal), async { Ok::<_, ScalekitError>(1) }).await;
        assert!(matches!(result, Err(ScalekitError::Aborted)));
        assert_eq!(
            abortable(None, async { Ok::<_, ScalekitError>(1) })
                .await
                .unwrap(),
            1
        );
    }
}
