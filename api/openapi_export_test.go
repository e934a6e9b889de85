package api

// OpenAPIYAML is the embedded description, for the tests that check it.
var OpenAPIYAML = openAPIYAML

// YAMLToJSON is the conversion the server applies to it at start-up.
var YAMLToJSON = yamlToJSON
