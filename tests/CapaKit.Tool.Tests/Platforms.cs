using System.Runtime.Versioning;

// The runtime tests run real Linux sandboxes.
[assembly: SupportedOSPlatform("linux")]
[assembly: SupportedOSPlatform("macos")]
