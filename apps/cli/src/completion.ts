/** `completion bash|zsh`: shell completion scripts generated from the command table. */
import { GLOBAL, PROG, type Command, type Options } from "./args.js";

function flags(opts: Options): string[] {
  return Object.entries(opts).flatMap(([k, o]) => [`--${k}`, ...(o.short ? [`-${o.short}`] : [])]);
}

export function completionScript(shell: "bash" | "zsh", commands: Command[]): string {
  const top = [...new Set(commands.map((c) => c.name.split(" ")[0]!))];
  const groups = [...new Set(commands.filter((c) => c.name.includes(" ")).map((c) => c.name.split(" ")[0]!))];
  const globals = flags(GLOBAL).join(" ");
  const fn = `_${PROG.replace(/-/g, "_")}`;
  const subCases = groups
    .map(
      (g) =>
        `    ${g}) words_="${commands
          .filter((c) => c.name.startsWith(`${g} `))
          .map((c) => c.name.split(" ")[1])
          .join(" ")}" ;;`,
    )
    .join("\n");
  const flagCases = commands.map((c) => `    "${c.name}") flags_="${flags(c.options).join(" ")}" ;;`).join("\n");
  const body = `${fn}() {
  local cur cmd words_ flags_ i w
  cur="\${COMP_WORDS[COMP_CWORD]}"
  cmd=""
  for ((i = 1; i < COMP_CWORD; i++)); do
    w="\${COMP_WORDS[i]}"
    case "$w" in -*) continue ;; esac
    if [ -z "$cmd" ]; then cmd="$w"; else cmd="$cmd $w"; break; fi
  done
  words_="${top.join(" ")}"
  case "$cmd" in
${subCases}
  esac
  case "$cmd" in
${flagCases}
  esac
  if [[ "$cur" == -* ]]; then
    COMPREPLY=( $(compgen -W "$flags_ ${globals}" -- "$cur") )
  elif [ -z "$cmd" ] || [[ " ${groups.join(" ")} " == *" $cmd "* ]]; then
    COMPREPLY=( $(compgen -W "$words_" -- "$cur") )
  fi
}`;
  if (shell === "bash") return `# bash completion for ${PROG}: eval "$(npx ${PROG} completion bash)"\n${body}\ncomplete -F ${fn} ${PROG}\n`;
  return `#compdef ${PROG}\n# zsh completion for ${PROG}: eval "$(npx ${PROG} completion zsh)"\nautoload -U +X bashcompinit && bashcompinit\n${body}\ncomplete -F ${fn} ${PROG}\n`;
}
