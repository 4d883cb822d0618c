using System.CommandLine;

namespace VersionStore.Cli.Commands;

/// <summary>
/// <c>vstore completion bash|zsh|pwsh|fish</c>: prints a shell script that completes commands and options by asking
/// <c>vstore</c> itself (System.CommandLine's <c>[suggest]</c> directive), so completion always matches the
/// installed version. Install: <c>source &lt;(vstore completion bash)</c> in <c>~/.bashrc</c>, and so on.
/// </summary>
internal static class CompletionCommand
{
    public static Command Create(CliContext cli)
    {
        var shell = new Argument<string>("SHELL") { Description = "bash, zsh, pwsh or fish." };
        shell.AcceptOnlyFromAmong("bash", "zsh", "pwsh", "fish");
        var command = new Command("completion", "Print a shell completion script (e.g. 'source <(vstore completion bash)').") { shell };
        cli.SetAction(command, (parseResult, output, _) =>
        {
            output.Text.Write(Script(parseResult.GetRequiredValue(shell)));
            return Task.FromResult(ExitCodes.Success);
        });
        return command;
    }

    internal static string Script(string shell) => shell switch
    {
        "bash" => """
            # vstore completion for bash: source <(vstore completion bash)
            _vstore_complete() {
              local IFS=$'\n'
              COMPREPLY=( $(compgen -W "$(vstore "[suggest:${COMP_POINT}]" "${COMP_LINE}" 2>/dev/null)" -- "${COMP_WORDS[COMP_CWORD]}") )
            }
            complete -o default -F _vstore_complete vstore

            """,
        "zsh" => """
            # vstore completion for zsh: source <(vstore completion zsh)
            _vstore_complete() {
              local -a candidates
              candidates=("${(@f)$(vstore "[suggest:${CURSOR}]" "${BUFFER}" 2>/dev/null)}")
              compadd -- ${(M)candidates:#${PREFIX}*}
            }
            compdef _vstore_complete vstore

            """,
        "pwsh" => """
            # vstore completion for PowerShell: vstore completion pwsh | Out-String | Invoke-Expression
            Register-ArgumentCompleter -Native -CommandName vstore -ScriptBlock {
                param($wordToComplete, $commandAst, $cursorPosition)
                vstore "[suggest:$cursorPosition]" "$commandAst" 2>$null | Where-Object { $_ -like "$wordToComplete*" } | ForEach-Object {
                    [System.Management.Automation.CompletionResult]::new($_, $_, 'ParameterValue', $_)
                }
            }

            """,
        _ => """
            # vstore completion for fish: vstore completion fish | source
            complete -c vstore -f -a '(set -l line (commandline -cp); vstore "[suggest:"(string length -- $line)"]" "$line" 2>/dev/null | string match -- (commandline -ct)"*")'

            """,
    };
}
