//! Two small locks every layer uses: a value behind a mutex never held
//! across an await, and a value replaced as a whole.

use std::sync::{Mutex, MutexGuard, PoisonError};

/// A value behind a lock that is never held across an await, so a plain
/// mutex serves async callers too.
#[derive(Debug, Default)]
pub struct Guarded<T>(Mutex<T>);

impl<T> Guarded<T> {
    pub fn new(value: T) -> Self {
        Guarded(Mutex::new(value))
    }

    pub fn lock(&self) -> MutexGuard<'_, T> {
        // Nothing panics while holding the lock, so a poisoned value is whole.
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// A value that is replaced as a whole while its readers keep the one they
/// took: arc-swap's pattern with std only, for values cheap to clone.
#[derive(Debug, Default)]
pub struct Current<T>(Guarded<T>);

impl<T: Clone> Current<T> {
    pub fn new(value: T) -> Self {
        Current(Guarded::new(value))
    }

    /// The value now; later replacements do not change it.
    pub fn get(&self) -> T {
        self.0.lock().clone()
    }

    /// Puts `value` in place and returns the one it replaces.
    pub fn replace(&self, value: T) -> T {
        std::mem::replace(&mut *self.0.lock(), value)
    }
}
