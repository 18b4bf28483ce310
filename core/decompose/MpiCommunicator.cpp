#include "decompose/Communicator.hpp"

#include <cstdlib>

#ifdef NM_WITH_MPI
// The C API only: OpenMPI/MPICH otherwise pull in their deprecated C++ bindings.
#define OMPI_SKIP_MPICXX 1
#define MPICH_SKIP_MPICXX 1
#include <mpi.h>
#endif

namespace nm::decompose {

bool launchedByMpi() {
    for (const char* v : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_RANK"})
        if (std::getenv(v)) return true;
    return false;
}

#ifdef NM_WITH_MPI
namespace {
class MpiCommunicator : public Communicator {
public:
    MpiCommunicator(int* argc, char*** argv) {
        int initialised = 0;
        MPI_Initialized(&initialised);
        if (!initialised) {
            MPI_Init(argc, argv);
            owns_ = true;
        }
        MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
        MPI_Comm_size(MPI_COMM_WORLD, &size_);
    }
    ~MpiCommunicator() override {
        int finalised = 0;
        MPI_Finalized(&finalised);
        if (owns_ && !finalised) MPI_Finalize();
    }
    int rank() const override { return rank_; }
    int size() const override { return size_; }
    void sum(double* v, std::size_t n) override {
        if (size_ > 1) MPI_Allreduce(MPI_IN_PLACE, v, int(n), MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
    }
    void sum(float* v, std::size_t n) override {
        if (size_ > 1) MPI_Allreduce(MPI_IN_PLACE, v, int(n), MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD);
    }
    void broadcast(std::string& bytes) override {
        if (size_ <= 1) return;
        unsigned long long n = bytes.size();
        MPI_Bcast(&n, 1, MPI_UNSIGNED_LONG_LONG, 0, MPI_COMM_WORLD);
        bytes.resize(n);
        MPI_Bcast(bytes.data(), int(n), MPI_CHAR, 0, MPI_COMM_WORLD);
    }
    void barrier() override { MPI_Barrier(MPI_COMM_WORLD); }

private:
    int rank_ = 0, size_ = 1;
    bool owns_ = false;
};
} // namespace

std::unique_ptr<Communicator> makeMpiCommunicator(int* argc, char*** argv) {
    return std::make_unique<MpiCommunicator>(argc, argv);
}
#else
std::unique_ptr<Communicator> makeMpiCommunicator(int*, char***) { return nullptr; }
#endif

} // namespace nm::decompose
