"""The vocabulary of what the package cannot say, and the tool's one error type.

Each key of RULES names a kind of conservative resolution: a question the generated
code leaves open, the answer the extractor always gives, and why that answer never
rejects valid configuration. The builder records every occurrence as a case of one of
these kinds; `<provider>.resolutions.json` carries the rules that occurred, the cases
and GLOBAL_NOTES (what is never available at all).
"""
from __future__ import annotations

# Terraform meta-arguments come from the CDK base classes (TerraformMetaArguments), not
# from the provider schema; `alias` is added to every provider by the generator.
RESOURCE_META_ARGUMENTS = frozenset(
    {"count", "for_each", "depends_on", "lifecycle", "provider", "provisioner", "provisioners", "connection"}
)
PROVIDER_META_ARGUMENTS = frozenset({"alias", "version"})

RULES: dict[str, dict[str, str]] = {
    "block_max_items_unknown": {
        "question": "max_items of a list/set block that is not single-item",
        "chosen": "max_items omitted",
        "why": "the generator only distinguishes max_items == 1 (single-item OutputReference) from "
        "anything else; omitting the bound never rejects valid config",
    },
    "block_min_items_lower_bound": {
        "question": "exact min_items of a required list/set block",
        "chosen": "min_items: 1",
        "why": "the generator only records min_items > 0 (as required: true); 1 is the weakest bound "
        "that keeps the block required",
    },
    "single_block_required_derived": {
        "question": "whether a nesting-mode single block is required",
        "chosen": "no min_items",
        "why": "for single blocks the generator derives required from 'all fields required'; it is not "
        "a schema fact, so the block is left optional (its required fields stay required)",
    },
    "struct_block_or_attribute": {
        "question": "whether a struct-typed member (type 'struct' or a map of structs) is a block or an attribute",
        "chosen": "block for 'timeouts', attribute otherwise",
        "why": "single/map nested blocks and single/map nested attributes look alike in the JS; the member "
        "order (the generator emits attributes, sorted, then blocks, sorted) and the flags (blocks are never "
        "computed) settle most; the rest are rare and both are written as one JSON object",
    },
    "nested_type_or_object": {
        "question": "whether a struct-typed attribute is a plugin-framework nested attribute (nested_type) "
        "or an attribute of cty object type",
        "chosen": "see case",
        "why": "the generator copies the parent's flags onto every field of a cty object but keeps a "
        "nested attribute's own flags; when all fields carry exactly the parent's flags both readings fit. "
        "Chosen: nested_type if any extracted attribute of this provider proves nested attributes exist "
        "(see nested_type_evidence; they need protocol 6), else a cty object",
    },
    "nested_field_computed_forced": {
        "question": "computed flag of a field of a computed nested attribute",
        "chosen": "optional+computed (or required) as shown",
        "why": "the generator marks every field of a computed nested attribute computed, so a field "
        "shown optional+computed may really be optional only; optional+computed accepts the same config",
    },
    "inner_collection_kind": {
        "question": "list or set for a collection nested inside another collection",
        "chosen": "list",
        "why": "only the outer collection kind is recorded (HCL 'type'); JSON arrays are valid for both "
        "and list also allows index references",
    },
    "dynamic_or_map_of_dynamic": {
        "question": "type of a member stored as a map of 'any'",
        "chosen": "dynamic",
        "why": "the generator renders both 'dynamic' and map(dynamic) as a map of any; dynamic accepts "
        "every value map(dynamic) accepts",
    },
    "skipped_by_generator": {
        "question": "type of a member the generator skipped (stored as plain 'any')",
        "chosen": "dynamic",
        "why": "the generator replaces some deeply nested members with an untyped value; dynamic accepts any value",
    },
    "unknown_computed_type": {
        "question": "type of a computed-only member whose getter is untyped (interpolationForAttribute)",
        "chosen": "dynamic",
        "why": "no type information besides 'computed'; dynamic accepts any reference",
    },
    "provider_block_shape": {
        "question": "max_items of a provider configuration block",
        "chosen": "max_items omitted",
        "why": "the generator renders every provider block as a plain list (no single-item classes), "
        "so max_items == 1 is not recorded for the provider",
    },
    "provider_nested_flags": {
        "question": "flags of fields inside provider configuration blocks",
        "chosen": "optional if the .d.ts property is optional ('?'), else required; never computed (one case per block)",
        "why": "provider struct classes carry no flag comments; the interface optionality is what the "
        "generator derived from optional/required",
    },
    "recursion_cut": {
        "question": "shape of a struct the generator made recursive",
        "chosen": "dynamic attribute",
        "why": "the generator folds deep repetitive nesting into a recursive class; the real finite "
        "nesting below that point is not recoverable, so anything is accepted there",
    },
    "meta_argument_excluded": {
        "question": "members named like Terraform meta-arguments",
        "chosen": "excluded",
        "why": "meta-arguments come from the CDK base classes (resources) or the generator (provider alias)",
    },
}

GLOBAL_NOTES = [
    "'sensitive' is not recorded in the assembly: no attribute is marked sensitive.",
    "'deprecated' and 'description_kind' are not recorded: never emitted.",
    "Schema 'version' (state upgrade version) is not recorded: 0 everywhere; do not rely on it.",
    "Block descriptions are not recorded (the generator replaces them with '<name> block'); "
    "attribute descriptions are the JSDoc text of the config interfaces, whitespace may differ.",
    "Optional vs optional+computed, required, and computed-only come from the generator's "
    "flag comments and are exact (including 'id').",
    "write_only is taken from markWriteOnlyAttribute(...) in the synthesizers.",
    "Nested attributes (plugin-framework, protocol 6) carry Terraform's 'nested_type' (with each "
    "field's own flags) and, beyond Terraform's output, the equivalent cty 'type', so every "
    "attribute has a 'type'.",
]


class ExtractError(Exception):
    """The package or the command line cannot give a trustworthy slice; the CLI exits 2."""
