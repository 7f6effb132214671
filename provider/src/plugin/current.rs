//! A value that is replaced as a whole while its readers keep the one they
//! took: arc-swap's pattern with std only, for values cheap to clone.

use std::sync::{Mutex, MutexGuard, PoisonError};

#[derive(Debug, Default)]
pub struct Current<T>(Mutex<T>);

impl<T: Clone> Current<T> {
    pub fn new(value: T) -> Self {
        Current(Mutex::new(value))
    }

    /// The value now; later replacements do not change it.
    pub fn get(&self) -> T {
        self.lock().clone()
    }

    /// Puts `value` in place and returns the one it replaces.
    pub fn replace(&self, value: T) -> T {
        std::mem::replace(&mut *self.lock(), value)
    }

    fn lock(&self) -> MutexGuard<'_, T> {
        // Nothing panics while holding the lock, so a poisoned value is whole.
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}
