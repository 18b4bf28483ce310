#pragma once
// Error types shared by every layer. Messages are for users: they name the file, the field and
// the value that was expected, so the CLI can print them as they are and the GUI can show them.
#include <filesystem>
#include <stdexcept>
#include <string>

namespace nm {

/// Base of every NeuroMosaic error. A runtime failure (CLI exit code 1).
class Error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// The user's input is wrong: a file is missing, unreadable or malformed, a parameter is out of
/// range (CLI exit code 2).
class InputError : public Error {
public:
    using Error::Error;
};

/// A job was cancelled cooperatively (by the user, SIGTERM or SIGINT).
class Cancelled : public Error {
public:
    Cancelled() : Error("cancelled") {}
};

/// "<file>: <field>: <problem>" — the one format of input errors about files.
[[nodiscard]] InputError fileError(const std::filesystem::path& file, const std::string& field,
                                   const std::string& problem);
[[nodiscard]] InputError fileError(const std::filesystem::path& file, const std::string& problem);

/// Throws a fileError unless `file` exists and is a readable regular file.
void requireReadableFile(const std::filesystem::path& file, const std::string& what = "file");

} // namespace nm
