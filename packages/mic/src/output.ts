// Prints a command's result: the JSON document with --json, the human sentence otherwise.
import type { Command } from "commander";

export function print(program: Command, data: unknown, human: string) {
  if (program.opts().json) process.stdout.write(`${JSON.stringify(data, null, 2)}\n`);
  else process.stdout.write(`${human}\n`);
}
