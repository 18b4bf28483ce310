#include "common/Error.hpp"

#include <fstream>

namespace nm {

InputError fileError(const std::filesystem::path& file, const std::string& field,
                     const std::string& problem) {
    return InputError(file.string() + ": " + field + ": " + problem);
}

InputError fileError(const std::filesystem::path& file, const std::string& problem) {
    return InputError(file.string() + ": " + problem);
}

void requireReadableFile(const std::filesystem::path& file, const std::string& what) {
    std::error_code ec;
    auto status = std::filesystem::status(file, ec);
    if (ec || !std::filesystem::exists(status))
        throw fileError(file, what + " does not exist");
    if (std::filesystem::is_directory(status))
        throw fileError(file, what + " is a directory, expected a file");
    std::ifstream probe(file, std::ios::binary);
    if (!probe)
        throw fileError(file, what + " is not readable (permission denied?)");
}

} // namespace nm
