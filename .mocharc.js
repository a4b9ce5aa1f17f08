'use strict';
// Mocha settings for `npm test` and `npx mocha`. With no test files on the command line the whole suite runs;
// `npx mocha out/test/unit/x.test.js` runs just that file (a .mocharc "spec" would be added to the files given).
const wholeSuite = [
  'out/test/unit/**/*.test.js',
  'out/test/integration/**/*.test.js',
  'out/test/oracle/**/*.test.js',
  'out/test/robustness/**/*.test.js',
];
const filesGiven = process.argv.slice(2).some((arg) => /\.js$/.test(arg) && !arg.startsWith('-') && !/mocharc/.test(arg));
module.exports = {
  spec: filesGiven ? [] : wholeSuite,
  timeout: 60000,
  reporter: './test/mocha-reporter.js',
};
