-- Facts about the store itself, one row per key. 'keyset_check' is a Tink AEAD ciphertext of a known constant,
-- written at the store's first start: an instance whose keyset (secrets.keyset-path) cannot decrypt it refuses
-- to start, instead of encrypting new secrets with a keyset the other instances do not have.
CREATE TABLE store_meta (
    meta_key   VARCHAR(100)  NOT NULL PRIMARY KEY,
    meta_value VARCHAR(4000) NOT NULL,
    created_at TIMESTAMP WITH TIME ZONE NOT NULL
);
