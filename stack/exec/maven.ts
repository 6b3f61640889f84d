import { execa } from 'execa';
import { MissingToolError, errorMessage } from '../../lib/index.ts';
import { findExecutable } from './which.ts';

/** `mvn dependency:copy-dependencies`: copies a pom's runtime jars into outDir. */
export async function copyDependencies(pom: string, outDir: string): Promise<void> {
  const mvn = findExecutable('mvn');
  if (!mvn) throw new MissingToolError('mvn', 'Kafka is fetched from Maven Central with Maven. Install it (`apt-get install maven`) and run `ticketctl stack up` again.');
  try {
    await execa(mvn, ['-q', '-B', '-f', pom, 'dependency:copy-dependencies', '-DincludeScope=runtime', `-DoutputDirectory=${outDir}`]);
  } catch (err) {
    throw new MissingToolError(
      'mvn',
      `Maven could not fetch Kafka's jars (${errorMessage(err).split('\n').slice(-3).join(' ')}). Check that Maven Central is reachable, then run \`ticketctl stack up\` again.`,
      err,
    );
  }
}
