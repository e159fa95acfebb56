//! A vector's config (JSON, options by their JS names) as the WIT record. A
//! value the record cannot hold (negative, fractional, too large for its
//! integer type, or of another type) or an unknown option is refused here,
//! naming the option, as a JS host refuses it before the core sees it.

use edgebreaker_core::Breaker;
use edgebreaker_wasmtime::{defaults, Config, Plugin};
use serde_json::Value;

use crate::support::trap;

/// The WIT config, or the JS name of the first option it cannot hold.
pub fn config_from_json(json: &Value) -> Result<Config, String> {
    let mut config = defaults();
    let Some(options) = json.as_object() else { return Err("config".into()) };
    for (option, value) in options {
        let count = || value.as_u64().and_then(|n| u32::try_from(n).ok()).ok_or_else(|| option.clone());
        let duration = || value.as_u64().ok_or_else(|| option.clone());
        let optional = |parse: &dyn Fn() -> Result<u64, String>| if value.is_null() { Ok(None) } else { parse().map(Some) };
        match option.as_str() {
            "failureThreshold" => config.failure_threshold = Some(count()?),
            "windowSize" => config.window_size = Some(count()?),
            "resetTimeoutMs" => config.reset_timeout_ms = Some(duration()?),
            "successThreshold" => config.success_threshold = Some(count()?),
            "halfOpenMaxCalls" => config.half_open_max_calls = Some(count()?),
            "failureRateThreshold" if value.is_null() => config.failure_rate_threshold = None,
            "failureRateThreshold" => config.failure_rate_threshold = Some(value.as_f64().ok_or_else(|| option.clone())?),
            "minimumCalls" if value.is_null() => config.minimum_calls = None,
            "minimumCalls" => config.minimum_calls = Some(count()?),
            "windowMs" => config.window_ms = optional(&duration)?,
            "slowCallMs" => config.slow_call_ms = optional(&duration)?,
            "maxResetTimeoutMs" => config.max_reset_timeout_ms = optional(&duration)?,
            "probeTimeoutMs" => config.probe_timeout_ms = optional(&duration)?,
            _ => return Err(option.clone()),
        }
    }
    Ok(config)
}

/// The component refuses `config` (which the host's conversion accepts)
/// naming `option`, in the words the native core uses for the same JSON.
pub fn refused_as_the_core_refuses(plugin: &mut Plugin, config: &Value, option: &str) -> Result<(), String> {
    let wit = config_from_json(config).map_err(|refused| format!("host refused {refused}"))?;
    match plugin.create(None, wit).map_err(trap)? {
        Ok(_) => Err(format!("config accepted, expected an error naming {option}")),
        Err(error) if error.option != option => Err(format!("config error names {}, expected {option}", error.option)),
        Err(error) => {
            let native = serde_json::from_value(config.clone()).map_err(|e| e.to_string())?;
            match Breaker::new(native) {
                Err(native) if native.to_string() == error.message => Ok(()),
                other => Err(format!("component says {:?}, native core says {other:?}", error.message)),
            }
        }
    }
}

#[test]
fn values_the_record_cannot_hold_are_refused_by_name() {
    use serde_json::json;
    let refused = |json: Value| config_from_json(&json).unwrap_err();
    assert_eq!(refused(json!({ "failureThreshold": 2.5 })), "failureThreshold");
    assert_eq!(refused(json!({ "resetTimeoutMs": -1 })), "resetTimeoutMs");
    assert_eq!(refused(json!({ "windowSize": 4_294_967_296_u64 })), "windowSize");
    assert_eq!(refused(json!({ "slowCallMs": "10" })), "slowCallMs");
    assert_eq!(refused(json!({ "failureTreshold": 3 })), "failureTreshold");
    let config = config_from_json(&json!({ "windowMs": null, "failureRateThreshold": 0.5 })).unwrap();
    assert_eq!((config.window_ms, config.failure_rate_threshold), (None, Some(0.5)));
}
