"""Extract a Terraform provider schema from a prebuilt CDK provider package.

The command is tools/extract_provider_schema.py (its docstring has the usage); this
package is its code, one file per step:

    wheels      where the wheel comes from (a directory, or pip download)
    tarball     stream the jsii tarball inside it, keep the wanted lib/<dir>s
    js, dts     parse their generated JavaScript and d.ts into a Module (model)
    shapes      what each member is, from its synthesizer entry or storage
    builder     blocks of a type; blocks (block or attribute?) and attributes
                (nested_type or object?) settle what the JS leaves open
    extract     the two documents: the schema and its resolutions (rules)
    pin         agreement with the provider version compiler/providers.py pins
    output, cli writing or --check, and the command line

Where each piece of information comes from (all from the jsii tarball of the package;
the .jsii assembly itself is not needed, the compiled JS and .d.ts say more):

* types and kinds: `static tfResourceType` of the class in package/lib/<dir>/index.js,
  with its base class (TerraformResource / TerraformDataSource / TerraformProvider);
  provider source and version from the provider class (`terraformProviderSource`,
  `providerVersion`); package versions from package/package.json;
* attribute flags: the generator writes `// <name> - computed: X, optional: Y,
  required: Z` above every member of every resource, data source and nested-struct
  class, copied from the provider schema, so required, optional, optional+computed and
  computed-only are exact (aws_s3_bucket `bucket`: optional+computed, `arn`: computed,
  `id`: optional+computed);
* types and block structure: `synthesizeHclAttributes()` / `*ToHclTerraform()` give each
  input's `type` ("simple" | "list" | "set" | "map" | "struct"), `storageClassType` and
  mapper: `listMapperHcl(fn, true)` is a list/set *block*, `listMapperHcl(fn, false)` an
  attribute (aws_route_table `route`: a set of objects); a struct passed without a list
  mapper but with type "list"/"set" is a single-item block (max_items 1); type "struct"
  is a single nested block or attribute, told apart by member order (the generator emits
  attributes sorted, then blocks sorted) and flags (blocks are never computed);
  computed-only members take their type from the getter (`getStringAttribute`,
  `Fn.tolist(getListAttribute(..))` = set of strings, ...) or stored class
  (`new XList(this, "n", wrapsSet)`, `new cdktn.StringMap(..)`);
* nested attributes (`nested_type`, protocol 6) vs cty object attributes: the generator
  copies the parent's flags to every field of a cty object but keeps a nested
  attribute's own flags, so differing flags prove `nested_type`;
* descriptions: the JSDoc of the config/struct interfaces in the `.d.ts` files (the text
  before "Docs at Terraform Registry"; the link anchor names the Terraform attribute);
* write_only: `markWriteOnlyAttribute(...)` in the synthesizers.

What the package cannot say is resolved conservatively (never reject valid config) and
every such decision is listed in `<name>.resolutions.json`: `rules` explains each kind,
`cases` lists each occurrence, `notes` what is never available (sensitive, deprecated,
schema version). Standard library only.
"""
from __future__ import annotations

from pathlib import Path

# The repository the slices and the pin live in (this file is tools/provider_schema/__init__.py).
REPO = Path(__file__).resolve().parents[2]
