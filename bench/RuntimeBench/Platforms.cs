using System.Runtime.Versioning;

// The bench drives the Linux/macOS runtime.
[assembly: SupportedOSPlatform("linux")]
[assembly: SupportedOSPlatform("macos")]
