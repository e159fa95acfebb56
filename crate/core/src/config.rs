//! Configuration and its validation. Each option's rule is written once, in
//! [`checked`], which both [`Config::validate`] (integers, as Rust and the
//! component pass them) and [`Config::from_numbers`] (JavaScript numbers)
//! go through, so every host refuses the same values with the same words.

use alloc::string::String;

use crate::text;
use crate::text::display_via_to_text;
use crate::time::MAX_MILLIS;

/// The largest `window_size` (and `half_open_max_calls`): the window's storage
/// is allocated once, when the breaker is created, at 16 bytes an outcome.
pub const MAX_WINDOW_SIZE: u32 = 4096;

/// How a breaker decides. Field docs give the JS name and the default.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(rename_all = "camelCase", deny_unknown_fields, default)
)]
pub struct Config {
    /// `failureThreshold`: failures within the window that open the circuit. Default 5.
    pub failure_threshold: u32,
    /// `windowSize`: most recent successes/failures tracked. Default 10.
    pub window_size: u32,
    /// `resetTimeoutMs`: time spent open before a probe is let through (at least 1). Default 60000.
    pub reset_timeout_ms: u64,
    /// `successThreshold`: consecutive probe successes that close the circuit. Default 2.
    pub success_threshold: u32,
    /// `halfOpenMaxCalls`: probes in flight at once while half-open. Default 1.
    pub half_open_max_calls: u32,
    /// `failureRateThreshold`: also open when the window's failure rate reaches this (0 < r ≤ 1).
    pub failure_rate_threshold: Option<f64>,
    /// `minimumCalls`: outcomes the window must hold before the rate rule applies. Default `window_size`.
    pub minimum_calls: Option<u32>,
    /// `windowMs`: outcomes older than this leave the window (at least 1).
    pub window_ms: Option<u64>,
    /// `slowCallMs`: a success that took at least this long counts as a failure.
    pub slow_call_ms: Option<u64>,
    /// `maxResetTimeoutMs`: each consecutive re-open doubles the open time, up to this. Default `reset_timeout_ms`.
    pub max_reset_timeout_ms: Option<u64>,
    /// `probeTimeoutMs`: a probe not settled within this counts as failed (at least 1). Default `reset_timeout_ms`.
    pub probe_timeout_ms: Option<u64>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            failure_threshold: 5,
            window_size: 10,
            reset_timeout_ms: 60_000,
            success_threshold: 2,
            half_open_max_calls: 1,
            failure_rate_threshold: None,
            minimum_calls: None,
            window_ms: None,
            slow_call_ms: None,
            max_reset_timeout_ms: None,
            probe_timeout_ms: None,
        }
    }
}

/// The options as JavaScript numbers, for hosts whose numbers are f64:
/// `None` is an absent option (its default, or off). A count or duration must
/// be a whole number; a fraction, a negative, NaN or an infinity is refused
/// with the same message as a whole number out of range.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct NumberOptions {
    pub failure_threshold: Option<f64>,
    pub window_size: Option<f64>,
    pub reset_timeout_ms: Option<f64>,
    pub success_threshold: Option<f64>,
    pub half_open_max_calls: Option<f64>,
    pub failure_rate_threshold: Option<f64>,
    pub minimum_calls: Option<f64>,
    pub window_ms: Option<f64>,
    pub slow_call_ms: Option<f64>,
    pub max_reset_timeout_ms: Option<f64>,
    pub probe_timeout_ms: Option<f64>,
}

impl Config {
    /// Checks every value; the error names the first option that is wrong.
    pub fn validate(&self) -> Result<(), ConfigError> {
        checked(&Given::from(self)).map(drop)
    }

    /// Builds a config from JavaScript numbers (absent options take their
    /// defaults) and validates it, as [`validate`](Config::validate) would.
    pub fn from_numbers(numbers: &NumberOptions) -> Result<Config, ConfigError> {
        checked(&Given::from(numbers))
    }

    /// The config as JavaScript numbers, `None` where an option is `None`
    /// (off, or its default taken from another option):
    /// [`from_numbers`](Config::from_numbers) builds it back.
    pub fn to_numbers(&self) -> NumberOptions {
        let count = |value: u32| Some(f64::from(value));
        let duration = |value: u64| Some(value as f64);
        NumberOptions {
            failure_threshold: count(self.failure_threshold),
            window_size: count(self.window_size),
            reset_timeout_ms: duration(self.reset_timeout_ms),
            success_threshold: count(self.success_threshold),
            half_open_max_calls: count(self.half_open_max_calls),
            failure_rate_threshold: self.failure_rate_threshold,
            minimum_calls: self.minimum_calls.and_then(count),
            window_ms: self.window_ms.and_then(duration),
            slow_call_ms: self.slow_call_ms.and_then(duration),
            max_reset_timeout_ms: self.max_reset_timeout_ms.and_then(duration),
            probe_timeout_ms: self.probe_timeout_ms.and_then(duration),
        }
    }

    /// `minimumCalls`, or its default: `windowSize`.
    pub fn effective_minimum_calls(&self) -> u32 {
        self.minimum_calls.unwrap_or(self.window_size)
    }

    /// `maxResetTimeoutMs`, or its default: `resetTimeoutMs` (no backoff).
    pub fn effective_max_reset_timeout_ms(&self) -> u64 {
        self.max_reset_timeout_ms.unwrap_or(self.reset_timeout_ms)
    }

    /// `probeTimeoutMs`, or its default: `resetTimeoutMs`.
    pub fn effective_probe_timeout_ms(&self) -> u64 {
        self.probe_timeout_ms.unwrap_or(self.reset_timeout_ms)
    }

    /// The same config with every default that depends on another option filled in.
    pub fn resolved(&self) -> Config {
        Config {
            minimum_calls: Some(self.effective_minimum_calls()),
            max_reset_timeout_ms: Some(self.effective_max_reset_timeout_ms()),
            probe_timeout_ms: Some(self.effective_probe_timeout_ms()),
            ..self.clone()
        }
    }
}

/// A count or duration as a host passed it: an integer, or a number that is
/// none (a fraction, a negative, NaN, an infinity, or beyond 2^53 - 1).
#[derive(Clone, Copy, Debug)]
enum Number {
    Integer(u64),
    NotAnInteger,
}

impl Number {
    fn from_f64(value: f64) -> Number {
        // Written so that NaN fails too. In range, the cast drops only a
        // fraction, which converting back reveals (no_std has no `fract`).
        if value >= 0.0 && value <= MAX_MILLIS as f64 {
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            let whole = value as u64;
            if whole as f64 == value {
                return Number::Integer(whole);
            }
        }
        Number::NotAnInteger
    }
}

/// Every option before validation, defaults of the options always in force filled in.
struct Given {
    failure_threshold: Number,
    window_size: Number,
    reset_timeout_ms: Number,
    success_threshold: Number,
    half_open_max_calls: Number,
    failure_rate_threshold: Option<f64>,
    minimum_calls: Option<Number>,
    window_ms: Option<Number>,
    slow_call_ms: Option<Number>,
    max_reset_timeout_ms: Option<Number>,
    probe_timeout_ms: Option<Number>,
}

impl From<&Config> for Given {
    fn from(config: &Config) -> Given {
        let int = |value: u64| Number::Integer(value);
        let count = |value: u32| Number::Integer(u64::from(value));
        Given {
            failure_threshold: count(config.failure_threshold),
            window_size: count(config.window_size),
            reset_timeout_ms: int(config.reset_timeout_ms),
            success_threshold: count(config.success_threshold),
            half_open_max_calls: count(config.half_open_max_calls),
            failure_rate_threshold: config.failure_rate_threshold,
            minimum_calls: config.minimum_calls.map(count),
            window_ms: config.window_ms.map(int),
            slow_call_ms: config.slow_call_ms.map(int),
            max_reset_timeout_ms: config.max_reset_timeout_ms.map(int),
            probe_timeout_ms: config.probe_timeout_ms.map(int),
        }
    }
}

impl From<&NumberOptions> for Given {
    fn from(numbers: &NumberOptions) -> Given {
        let defaults = Config::default();
        let or = |value: Option<f64>, default: u64| value.map_or(Number::Integer(default), Number::from_f64);
        let optional = |value: Option<f64>| value.map(Number::from_f64);
        Given {
            failure_threshold: or(numbers.failure_threshold, u64::from(defaults.failure_threshold)),
            window_size: or(numbers.window_size, u64::from(defaults.window_size)),
            reset_timeout_ms: or(numbers.reset_timeout_ms, defaults.reset_timeout_ms),
            success_threshold: or(numbers.success_threshold, u64::from(defaults.success_threshold)),
            half_open_max_calls: or(numbers.half_open_max_calls, u64::from(defaults.half_open_max_calls)),
            failure_rate_threshold: numbers.failure_rate_threshold,
            minimum_calls: optional(numbers.minimum_calls),
            window_ms: optional(numbers.window_ms),
            slow_call_ms: optional(numbers.slow_call_ms),
            max_reset_timeout_ms: optional(numbers.max_reset_timeout_ms),
            probe_timeout_ms: optional(numbers.probe_timeout_ms),
        }
    }
}

/// The rule of each option, in the order they are checked (an option's rule
/// may name one checked before it). 0 is refused for `windowMs` (a window
/// that keeps nothing never opens the circuit), `resetTimeoutMs` and
/// `probeTimeoutMs` (probes that expire at once put no bound on half-open;
/// `probeTimeoutMs` defaults to `resetTimeoutMs`).
fn checked(given: &Given) -> Result<Config, ConfigError> {
    let window = MAX_WINDOW_SIZE.into();
    let window_size = check("windowSize", given.window_size, Rule::Count { min: 1, max: window })?;
    let up_to_window = Rule::UpToWindowSize { window_size };
    let failure_threshold = check("failureThreshold", given.failure_threshold, up_to_window)?;
    let minimum_calls = optional("minimumCalls", given.minimum_calls, up_to_window)?;
    let success_threshold =
        check("successThreshold", given.success_threshold, Rule::Count { min: 1, max: u32::MAX.into() })?;
    let half_open_max_calls = check("halfOpenMaxCalls", given.half_open_max_calls, Rule::Count { min: 1, max: window })?;
    if let Some(rate) = given.failure_rate_threshold {
        // Written so that NaN fails too.
        if !(rate > 0.0 && rate <= 1.0) {
            return Err(ConfigError { option: "failureRateThreshold", rule: Rule::Rate, given: None });
        }
    }
    let reset_timeout_ms = check("resetTimeoutMs", given.reset_timeout_ms, Rule::Duration { min: 1 })?;
    let window_ms = optional("windowMs", given.window_ms, Rule::Duration { min: 1 })?;
    let slow_call_ms = optional("slowCallMs", given.slow_call_ms, Rule::Duration { min: 0 })?;
    let probe_timeout_ms = optional("probeTimeoutMs", given.probe_timeout_ms, Rule::Duration { min: 1 })?;
    let max_reset_timeout_ms =
        optional("maxResetTimeoutMs", given.max_reset_timeout_ms, Rule::AtLeastResetTimeout { reset_timeout_ms })?;
    Ok(Config {
        failure_threshold: narrow(failure_threshold),
        window_size: narrow(window_size),
        reset_timeout_ms,
        success_threshold: narrow(success_threshold),
        half_open_max_calls: narrow(half_open_max_calls),
        failure_rate_threshold: given.failure_rate_threshold,
        minimum_calls: minimum_calls.map(narrow),
        window_ms,
        slow_call_ms,
        max_reset_timeout_ms,
        probe_timeout_ms,
    })
}

fn check(option: &'static str, value: Number, rule: Rule) -> Result<u64, ConfigError> {
    match value {
        Number::Integer(value) if rule.allows(value) => Ok(value),
        Number::Integer(value) => Err(ConfigError { option, rule, given: Some(value) }),
        Number::NotAnInteger => Err(ConfigError { option, rule, given: None }),
    }
}

fn optional(option: &'static str, value: Option<Number>, rule: Rule) -> Result<Option<u64>, ConfigError> {
    value.map(|value| check(option, value, rule)).transpose()
}

/// A count that passed its rule, whose maximum fits in u32.
fn narrow(count: u64) -> u32 {
    u32::try_from(count).unwrap_or(u32::MAX)
}

/// What an option must be. Its `Display` is the rule in words.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Rule {
    /// An integer in `min..=max`.
    Count { min: u64, max: u64 },
    /// An integer from 1 to `windowSize`.
    UpToWindowSize { window_size: u64 },
    /// Whole milliseconds from `min` to [`MAX_MILLIS`].
    Duration { min: u64 },
    /// Whole milliseconds from `resetTimeoutMs` to [`MAX_MILLIS`].
    AtLeastResetTimeout { reset_timeout_ms: u64 },
    /// A number greater than 0 and at most 1.
    Rate,
}

impl Rule {
    fn allows(self, value: u64) -> bool {
        match self {
            Rule::Count { min, max } => (min..=max).contains(&value),
            Rule::UpToWindowSize { window_size } => (1..=window_size).contains(&value),
            Rule::Duration { min } => (min..=MAX_MILLIS).contains(&value),
            Rule::AtLeastResetTimeout { reset_timeout_ms } => (reset_timeout_ms..=MAX_MILLIS).contains(&value),
            Rule::Rate => false, // checked as a float, never as an integer
        }
    }
}

impl Rule {
    /// "`an integer from 1 to 1000`" and the like, as `Display` writes it.
    pub fn to_text(self) -> String {
        match self {
            Rule::Count { min, max } => text!["an integer from ", min, " to ", max],
            Rule::UpToWindowSize { window_size } => text!["an integer from 1 to windowSize (", window_size, ")"],
            Rule::Duration { min } => text!["a whole number of milliseconds from ", min, " to ", MAX_MILLIS],
            Rule::AtLeastResetTimeout { reset_timeout_ms } => {
                text!["a whole number of milliseconds from resetTimeoutMs (", reset_timeout_ms, ") to ", MAX_MILLIS]
            }
            Rule::Rate => "a number greater than 0 and at most 1".into(),
        }
    }
}

display_via_to_text!(Rule);

/// Why a config was refused: the option (JS spelling), the rule it breaks
/// and, when it was an integer, the value given.
///
/// `Display` is "`<option> must be <rule>; got <value>`", the value left out
/// when it was not an integer (formatting an f64 would add 16 KB to every wasm
/// build); [`requirement`](ConfigError::requirement) is the message without
/// the value, for a host that appends the value as its caller wrote it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ConfigError {
    option: &'static str,
    rule: Rule,
    given: Option<u64>,
}

impl ConfigError {
    /// The option at fault, as JS and the vectors spell it (`"failureThreshold"`).
    pub fn option(&self) -> &'static str {
        self.option
    }

    /// The rule the value breaks.
    pub fn rule(&self) -> Rule {
        self.rule
    }

    /// The value given, when it was an integer.
    pub fn given(&self) -> Option<u64> {
        self.given
    }

    /// "`<option> must be <rule>`", without the value.
    pub fn requirement(&self) -> Requirement {
        Requirement { option: self.option, rule: self.rule }
    }
}

/// "`<option> must be <rule>`": see [`ConfigError::requirement`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Requirement {
    option: &'static str,
    rule: Rule,
}

impl Requirement {
    /// "`<option> must be <rule>`", as `Display` writes it.
    pub fn to_text(self) -> String {
        text![self.option, " must be ", self.rule.to_text()]
    }
}

display_via_to_text!(Requirement);

impl ConfigError {
    /// "`<option> must be <rule>; got <value>`" (the value only when it was an integer), as `Display` writes it.
    pub fn to_text(&self) -> String {
        match self.given {
            Some(value) => text![self.requirement().to_text(), "; got ", value],
            None => self.requirement().to_text(),
        }
    }
}

display_via_to_text!(ConfigError);

impl core::error::Error for ConfigError {}
