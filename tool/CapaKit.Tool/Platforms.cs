using System.Runtime.Versioning;

// The runtime sandboxes with bubblewrap (Linux) or Seatbelt (macOS); there is no Windows sandbox.
[assembly: SupportedOSPlatform("linux")]
[assembly: SupportedOSPlatform("macos")]
