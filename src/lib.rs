pub mod diagnostic;
pub mod duration;
pub mod inventory;
pub mod schema;
pub mod source;
pub mod yaml;
