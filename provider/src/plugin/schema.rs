//! Schemas: what a provider or resource accepts, described once and used for
//! the wire (GetSchema), for decoding values, and for generated docs.

use std::collections::BTreeMap;

use crate::plugin::value::Type;

#[derive(Clone, Debug)]
pub struct Schema {
    /// Bumped when stored state must be upgraded.
    pub version: i64,
    pub block: Block,
}

impl Schema {
    /// The object type of values of this schema.
    pub fn value_type(&self) -> Type {
        self.block.value_type()
    }
}

#[derive(Clone, Debug, Default)]
pub struct Block {
    /// Markdown.
    pub description: String,
    pub attributes: Vec<Attribute>,
    pub blocks: Vec<NestedBlock>,
}

impl Block {
    pub fn value_type(&self) -> Type {
        let mut attrs: BTreeMap<String, Type> =
            self.attributes.iter().map(|a| (a.name.clone(), a.ty.clone())).collect();
        for nested in &self.blocks {
            let object = nested.block.value_type();
            let ty = match nested.nesting {
                Nesting::Single => object,
                Nesting::List => Type::list(object),
                Nesting::Set => Type::set(object),
            };
            attrs.insert(nested.name.clone(), ty);
        }
        Type::Object(attrs)
    }
}

/// Whether the user must, may, or may not set an attribute.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Presence {
    Required,
    Optional,
    /// Set by the user or, when not set, by the provider.
    OptionalComputed,
    Computed,
}

#[derive(Clone, Debug)]
pub struct Attribute {
    pub name: String,
    pub ty: Type,
    /// Markdown.
    pub description: String,
    pub presence: Presence,
    pub sensitive: bool,
    /// A change replaces the resource instead of updating it in place.
    pub requires_replace: bool,
}

impl Attribute {
    pub fn new(name: &str, ty: Type, presence: Presence, description: &str) -> Self {
        Attribute {
            name: name.to_owned(),
            ty,
            description: description.to_owned(),
            presence,
            sensitive: false,
            requires_replace: false,
        }
    }

    pub fn required(name: &str, ty: Type, description: &str) -> Self {
        Attribute::new(name, ty, Presence::Required, description)
    }

    pub fn optional(name: &str, ty: Type, description: &str) -> Self {
        Attribute::new(name, ty, Presence::Optional, description)
    }

    pub fn optional_computed(name: &str, ty: Type, description: &str) -> Self {
        Attribute::new(name, ty, Presence::OptionalComputed, description)
    }

    pub fn computed(name: &str, ty: Type, description: &str) -> Self {
        Attribute::new(name, ty, Presence::Computed, description)
    }

    pub fn sensitive(mut self) -> Self {
        self.sensitive = true;
        self
    }

    pub fn requires_replace(mut self) -> Self {
        self.requires_replace = true;
        self
    }

    pub fn is_computed(&self) -> bool {
        matches!(self.presence, Presence::Computed | Presence::OptionalComputed)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Nesting {
    Single,
    List,
    Set,
}

#[derive(Clone, Debug)]
pub struct NestedBlock {
    pub name: String,
    pub nesting: Nesting,
    pub block: Block,
    pub min_items: i64,
    pub max_items: i64,
}

/// The attributes that identify a resource instance apart from its state
/// (Terraform 1.12+): shown by `terraform query`, given in `import` blocks,
/// and never changing for one object.
#[derive(Clone, Debug)]
pub struct IdentitySchema {
    /// Bumped when stored identities must be upgraded.
    pub version: i64,
    pub attributes: Vec<IdentityAttribute>,
}

impl IdentitySchema {
    /// The object type of identity values.
    pub fn value_type(&self) -> Type {
        Type::Object(self.attributes.iter().map(|a| (a.name.clone(), a.ty.clone())).collect())
    }
}

#[derive(Clone, Debug)]
pub struct IdentityAttribute {
    pub name: String,
    pub ty: Type,
    /// Markdown.
    pub description: String,
    /// Whether an `import` block's `identity` must give it (else it may).
    pub required_for_import: bool,
}
