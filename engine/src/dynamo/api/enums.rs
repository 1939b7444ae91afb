//! The small enumerations shared by many operations.
//!
//! Each has `as_str` (the wire spelling) and `parse` (wire spelling → value,
//! `None` for anything else) so the server can report DynamoDB's
//! "Member must satisfy enum value set" error itself.

macro_rules! wire_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident => $wire:literal,)+ }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
        pub enum $name {
            $($(#[$vmeta])* $variant,)+
        }

        impl $name {
            /// Every value, in the API model's order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The wire spelling, e.g. `"ALL_NEW"`.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $wire,)+
                }
            }

            /// The value spelled `s` on the wire, if any.
            pub fn parse(s: &str) -> Option<$name> {
                match s {
                    $($wire => Some($name::$variant),)+
                    _ => None,
                }
            }
        }
    };
}
pub(crate) use wire_enum;

wire_enum! {
    /// `ReturnValues`: which attributes a write returns.
    ReturnValue {
        /// Nothing (the default).
        #[default]
        None => "NONE",
        /// The whole item as it was before the write.
        AllOld => "ALL_OLD",
        /// The updated attributes as they were before (UpdateItem only).
        UpdatedOld => "UPDATED_OLD",
        /// The whole item as it is after the write (UpdateItem only).
        AllNew => "ALL_NEW",
        /// The updated attributes as they are after (UpdateItem only).
        UpdatedNew => "UPDATED_NEW",
    }
}

wire_enum! {
    /// `ReturnConsumedCapacity`.
    ReturnConsumedCapacity {
        /// Table and per-index figures.
        Indexes => "INDEXES",
        /// Only the total.
        Total => "TOTAL",
        /// Nothing (the default).
        #[default]
        None => "NONE",
    }
}

wire_enum! {
    /// `ReturnItemCollectionMetrics`.
    ReturnItemCollectionMetrics {
        /// Item collection size estimates (tables with local secondary indexes).
        Size => "SIZE",
        /// Nothing (the default).
        #[default]
        None => "NONE",
    }
}

wire_enum! {
    /// `ReturnValuesOnConditionCheckFailure`.
    ReturnValuesOnConditionCheckFailure {
        /// Return the item as it was when the condition failed.
        AllOld => "ALL_OLD",
        /// Nothing (the default).
        #[default]
        None => "NONE",
    }
}

wire_enum! {
    /// `Select` for Query and Scan.
    Select {
        /// Every attribute of each item (the default without a projection).
        #[default]
        AllAttributes => "ALL_ATTRIBUTES",
        /// The attributes projected into the index.
        AllProjectedAttributes => "ALL_PROJECTED_ATTRIBUTES",
        /// The attributes named by the projection.
        SpecificAttributes => "SPECIFIC_ATTRIBUTES",
        /// Only the count of matching items.
        Count => "COUNT",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_spellings_round_trip() {
        for v in ReturnValue::ALL {
            assert_eq!(ReturnValue::parse(v.as_str()), Some(*v));
        }
        assert_eq!(Select::parse("COUNT"), Some(Select::Count));
        assert_eq!(Select::parse("count"), None);
        assert_eq!(
            ReturnConsumedCapacity::default(),
            ReturnConsumedCapacity::None
        );
    }
}
