pub mod classify;
pub mod diagnostic;
pub mod duration;
pub mod glob;
pub mod inventory;
pub mod schema;
pub mod source;
pub mod yaml;
