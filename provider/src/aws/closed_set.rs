//! Closed sets of names that AWS and Terraform spell alike, as enums: the
//! schema lists their names, validation checks a value against them, and
//! state maps values to variants and back, all from one declaration.

/// Declares `enum NAME { Variant = "SPELLING", ... }` with `NAMES` (every
/// spelling, in order), `as_str`, `parse` and `Display`.
macro_rules! closed_set {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident { $($(#[$variant_meta:meta])* $variant:ident = $text:literal,)+ }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        $vis enum $name {
            $($(#[$variant_meta])* $variant,)+
        }

        impl $name {
            pub const NAMES: &'static [&'static str] = &[$($text),+];

            pub fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $text,)+
                }
            }

            pub fn parse(text: &str) -> Option<Self> {
                match text {
                    $($text => Some(Self::$variant),)+
                    _ => None,
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

pub(crate) use closed_set;

#[cfg(test)]
mod tests {
    closed_set! {
        enum Colour {
            Red = "RED",
            DarkBlue = "DARK_BLUE",
        }
    }

    #[test]
    fn names_parse_back_to_their_variants() {
        assert_eq!(Colour::NAMES, ["RED", "DARK_BLUE"]);
        for name in Colour::NAMES {
            assert_eq!(Colour::parse(name).unwrap().as_str(), *name);
        }
        assert_eq!(Colour::parse("red"), None, "spelled exactly");
        assert_eq!(Colour::DarkBlue.to_string(), "DARK_BLUE");
    }
}
