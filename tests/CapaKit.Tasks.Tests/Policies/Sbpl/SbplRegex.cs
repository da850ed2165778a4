using System.Text.RegularExpressions;

namespace CapaKit.Tasks.Tests.Policies.Sbpl;

/// <summary>
/// SBPL regexes are POSIX extended regular expressions, matched anywhere in the path unless anchored.
/// The common subset (literals, '.', classes, groups, alternation, quantifiers, anchors, escaped punctuation)
/// means the same in .NET; anything outside it throws rather than being guessed at.
/// </summary>
public static class SbplRegex
{
    public static Regex Translate(string pattern)
    {
        for (var i = 0; i < pattern.Length; i++)
        {
            if (pattern[i] == '\\')
            {
                if (i + 1 >= pattern.Length || char.IsLetterOrDigit(pattern[i + 1]))
                {
                    throw new SbplException($"Regex escape '\\{(i + 1 < pattern.Length ? pattern[i + 1] : ' ')}' has no POSIX meaning this checker knows: {pattern}");
                }
                i++;
            }
            else if (pattern[i] == '(' && i + 1 < pattern.Length && pattern[i + 1] == '?')
            {
                throw new SbplException($"'(?' is not POSIX: {pattern}");
            }
            else if (pattern[i] is '*' or '+' or '?' or '}' && i + 1 < pattern.Length && pattern[i + 1] is '?' or '+')
            {
                throw new SbplException($"Lazy or possessive quantifiers are not POSIX: {pattern}");
            }
        }
        return new Regex(pattern, RegexOptions.CultureInvariant);
    }
}
