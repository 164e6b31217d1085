import HummingbirdTLS

/// The TLS server configuration from a PEM certificate chain and a PEM private key.
enum TLSFiles {
    static func configuration(certificate: String, key: String) throws -> TLSConfiguration {
        let chain: [NIOSSLCertificate]
        let privateKey: NIOSSLPrivateKey
        do {
            chain = try NIOSSLCertificate.fromPEMFile(certificate)
        } catch {
            throw TokenFileError("--tls-cert \(certificate): not a readable PEM certificate chain (\(error))")
        }
        guard !chain.isEmpty else { throw TokenFileError("--tls-cert \(certificate): no certificate in the file") }
        do {
            privateKey = try NIOSSLPrivateKey(file: key, format: .pem)
        } catch {
            throw TokenFileError("--tls-key \(key): not a readable PEM private key (\(error))")
        }
        return TLSConfiguration.makeServerConfiguration(certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(privateKey))
    }
}
