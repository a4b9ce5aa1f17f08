/** The starting content: the schema for completion, the CPU count, and the map to attach to when there is one. */
export function scenarioTemplate(schemaPath: string, maps: readonly string[], cpus: number): string {
  const scenario: Record<string, unknown> = {
    $schema: schemaPath,
    description: 'What the simulated system holds when the iterator runs.',
    cpus,
    maps: maps.map((name) => ({ name, entries: [] })),
  };
  if (maps.length > 0) scenario.attach = { map: maps[0] };
  return JSON.stringify(scenario, null, 2) + '\n';
}

