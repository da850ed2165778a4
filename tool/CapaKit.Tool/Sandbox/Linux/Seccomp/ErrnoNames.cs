namespace CapaKit.Tool.Sandbox.Linux.Seccomp;

/// <summary>Symbolic names of the errno values a deny rule is likely to return, for the debug printout.</summary>
internal static class ErrnoNames
{
    internal static string Of(int errno) => errno switch
    {
        1 => "EPERM",
        2 => "ENOENT",
        13 => "EACCES",
        22 => "EINVAL",
        38 => "ENOSYS",
        93 => "EPROTONOSUPPORT",
        94 => "ESOCKTNOSUPPORT",
        95 => "EOPNOTSUPP",
        97 => "EAFNOSUPPORT",
        _ => $"errno {errno}",
    };
}
