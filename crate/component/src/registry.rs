//! Breakers shared by name within the instance, as `getCircuitBreaker` and
//! friends are in JavaScript. A `BTreeMap` so that `list` comes out sorted.

use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec::Vec;

use spin::Mutex;

use crate::bindings::exports::edgebreaker::breaker::breakers::Breaker as BreakerResource;
use crate::bindings::exports::edgebreaker::breaker::registry::Guest;
use crate::bindings::exports::edgebreaker::breaker::types::{Config, ConfigError, Status};
use crate::breaker::{create, now, BreakerHandle, Shared};
use crate::Component;

/// Instance-wide, and never contended (one thread, never re-entered).
static BREAKERS: Mutex<BTreeMap<String, Shared>> = Mutex::new(BTreeMap::new());

impl Guest for Component {
    fn get_or_create(name: String, config: Config) -> Result<BreakerResource, ConfigError> {
        let mut breakers = BREAKERS.lock();
        if let Some(shared) = breakers.get(&name) {
            return Ok(BreakerHandle::resource(shared.clone()));
        }
        let shared = create(Some(name.clone()), &config)?;
        breakers.insert(name, shared.clone());
        Ok(BreakerHandle::resource(shared))
    }

    fn list() -> Vec<Status> {
        let now = now();
        BREAKERS.lock().values().map(|shared| shared.lock().status(now)).collect()
    }

    fn reset_all() {
        let now = now();
        BREAKERS.lock().values().for_each(|shared| shared.lock().reset(now));
    }

    fn remove(name: String) -> bool {
        BREAKERS.lock().remove(&name).is_some()
    }

    fn clear() {
        BREAKERS.lock().clear();
    }
}
