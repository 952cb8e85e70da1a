// Every benchmark case, in the order they run and are reported.
import importPoints from './import.mjs';
import exportPoints from './export-points.mjs';
import exportCountries from './export-countries.mjs';
import catalogSearch from './catalog-search.mjs';
import sdkIteration from './sdk-iteration.mjs';
import concurrentExports from './concurrent-exports.mjs';
import metadataRecord from './metadata-record.mjs';

export const cases = [importPoints, exportPoints, exportCountries, catalogSearch, sdkIteration, concurrentExports, metadataRecord];
