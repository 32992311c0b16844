"""The built-in modules. Each folder is one section of mlops.yaml: its schema fragment
(`schema.json`), its code, and its golden cases (`cases/`). They import only
`mlops.module_api`, like a module shipped as a separate package would."""
