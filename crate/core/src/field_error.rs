//! The refusal of data read field by field (a breaker's snapshot, the fleet's
//! documents): one type, so that every such refusal names its field the same way.

use alloc::string::String;

use crate::config::ConfigError;
use crate::text;
use crate::text::display_via_to_text;

/// Why data was refused: the field at fault, as JSON spells it, and what is
/// wrong with it. `Display` is "`<field> <message>`".
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub(crate) fn new(field: impl Into<String>, message: impl Into<String>) -> FieldError {
        FieldError { field: field.into(), message: message.into() }
    }

    /// "`<field> <message>`", as `Display` writes it.
    pub fn to_text(&self) -> String {
        text![self.field, " ", self.message]
    }
}

display_via_to_text!(FieldError);

/// A config refused while reading data that carries one (a snapshot, a fleet's
/// documents): the option is the field, "must be <rule>; got <value>" the message.
impl From<ConfigError> for FieldError {
    fn from(error: ConfigError) -> FieldError {
        let message = match error.given() {
            Some(value) => text!["must be ", error.rule().to_text(), "; got ", value],
            None => text!["must be ", error.rule().to_text()],
        };
        FieldError::new(error.option(), message)
    }
}

impl core::error::Error for FieldError {}
