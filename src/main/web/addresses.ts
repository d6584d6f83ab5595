import * as net from 'node:net'
import * as os from 'node:os'

/**
 * The names a browser reaches web mode by. Browsers send them in the Host and Origin headers as the URL
 * parser serializes them (lowercase, IPv6 in brackets and compressed, no port when it is the scheme's
 * default), so everything here is compared in that form.
 */

/** `name:port` as a browser's Host header carries it, or null when `name` is no valid host. */
export function hostHeader(name: string, port: number): string | null {
  return canonicalHost(`${net.isIPv6(name) ? `[${name}]` : name}:${port}`)
}

/** A Host header value in canonical form, or null when it is not a bare host[:port]. */
export function canonicalHost(value: string): string | null {
  try {
    const url = new URL(`http://${value}`)
    if (url.username || url.password || url.pathname !== '/' || url.search || url.hash) return null
    return url.host
  } catch {
    return null
  }
}

/** The address to listen on as given to `--host`, without the brackets a URL would put around IPv6. */
export function listenHost(value: string): string {
  return value.replace(/^\[(.*)\]$/, '$1')
}

export function isWildcard(host: string): boolean {
  return host === '0.0.0.0' || host === '::'
}

/** Whether `name` (an address, in brackets or not, or a host name) is this machine's loopback. */
export function isLoopback(name: string): boolean {
  const address = listenHost(name).toLowerCase()
  return address === '::1' || address === 'localhost' || (net.isIPv4(address) && address.startsWith('127.'))
}

export interface Machine {
  interfaces: NodeJS.Dict<os.NetworkInterfaceInfo[]>
  hostname: string
}

const thisMachine = (): Machine => ({ interfaces: os.networkInterfaces(), hostname: os.hostname() })

/**
 * Every name a server listening on `host` (bound to `bound`) can be opened at, in the order to print them.
 * On all interfaces (0.0.0.0, or :: which also takes IPv4) that is the machine's hostname, the address of
 * every interface and localhost, as Jupyter prints them; on one address it is that address, plus localhost
 * when it is a loopback one. Link-local IPv6 addresses are left out: a browser cannot open them (URLs have
 * no zone id).
 */
export function reachableNames(host: string, bound: string, machine: Machine = thisMachine()): string[] {
  let names: string[]
  if (isWildcard(host)) {
    const addresses = Object.values(machine.interfaces)
      .flatMap((list) => list ?? [])
      .filter((a) => (a.family === 'IPv4' || host === '::') && !a.address.toLowerCase().startsWith('fe80:'))
      // Addresses another machine can reach first; loopback ones after them.
      .sort((a, b) => Number(a.internal) - Number(b.internal))
      .map((a) => a.address)
    names = [machine.hostname, ...addresses, 'localhost']
  } else {
    names = [host, bound, ...(isLoopback(bound) ? ['localhost'] : [])]
  }
  const seen = new Set<string>()
  return names.filter((name) => {
    const key = hostHeader(name, 1)
    if (key === null || seen.has(key)) return false
    seen.add(key)
    return true
  })
}
