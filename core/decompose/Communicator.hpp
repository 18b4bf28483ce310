#pragma once
// Sums across the processes of a distributed learning job (MPI ranks). The serial communicator is
// the identity; the MPI one (MpiCommunicator.cpp, built when OpenMPI is found) calls
// MPI_Allreduce. Core code depends only on this interface.
#include <cstddef>
#include <memory>
#include <string>

namespace nm::decompose {

class Communicator {
public:
    virtual ~Communicator() = default;
    [[nodiscard]] virtual int rank() const = 0;
    [[nodiscard]] virtual int size() const = 0;
    /// In-place element-wise sum over all ranks.
    virtual void sum(double* values, std::size_t n) = 0;
    virtual void sum(float* values, std::size_t n) = 0;
    /// Every rank receives rank 0's bytes.
    virtual void broadcast(std::string& bytes) = 0;
    virtual void barrier() = 0;
};

class SerialCommunicator : public Communicator {
public:
    [[nodiscard]] int rank() const override { return 0; }
    [[nodiscard]] int size() const override { return 1; }
    void sum(double*, std::size_t) override {}
    void sum(float*, std::size_t) override {}
    void broadcast(std::string&) override {}
    void barrier() override {}
};

/// The MPI communicator of MPI_COMM_WORLD (initialises MPI if needed), or nullptr when NeuroMosaic
/// was built without MPI.
std::unique_ptr<Communicator> makeMpiCommunicator(int* argc, char*** argv);
/// True when the process was started by mpirun/mpiexec (OpenMPI or PMI environment variables).
bool launchedByMpi();

} // namespace nm::decompose
