#!/usr/bin/env node
// The `dcgan-studio` command. Builds the app first when the sources changed (a checkout, not an installed
// package), then runs the CLI from the build.
'use strict'
const path = require('node:path')
const { pathToFileURL } = require('node:url')

const builder = path.join(__dirname, '..', 'scripts', 'build-if-needed.mjs')
import(pathToFileURL(builder).href)
  .then(({ buildIfNeeded }) => {
    buildIfNeeded()
    require(path.join(__dirname, '..', 'out', 'main', 'cli.js'))
  })
  .catch((err) => {
    process.stderr.write(`dcgan-studio: ${err.message}\n`)
    process.exit(1)
  })
