// Tasks compile against MSBuild's public API only.
