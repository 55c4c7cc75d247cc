// Package config is the node configuration of edgebar: plain data structs in
// Crossbar.io's vocabulary (config version 2: controller, workers, realms,
// roles, transports), read from YAML or JSON with strict decoding, the
// built-in default, Validate with a field path on every error, and the
// conversion of a router worker into router.Config.
//
// Strict means: an unknown key anywhere is an error naming its field path
// ("workers[0].transports[1].endpoint.prot: unknown field"), and a key or
// type of Crossbar's vocabulary that edgebar does not implement yet is an
// error saying so ("... not supported yet") instead of being ignored.
//
// Defaults are documented on each field and applied where the value is used
// (the accessor methods and RouterConfig), so a Config always holds what the
// file said.
package config
