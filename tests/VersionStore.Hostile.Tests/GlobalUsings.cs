global using VersionStore.Cli;
global using VersionStore.Conformance;
